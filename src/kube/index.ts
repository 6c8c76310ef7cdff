export { createKubeCluster, type KubeClusterOptions } from './cluster.js';
export type * from './types.js';
export { describeKubeError, type KubeError, type KubeErrorCode } from './errors.js';
export type { RetryPolicy, Clock } from './call.js';
export { stateAnnotation } from './state.js';
export { restartedAtAnnotation, restartIdAnnotation } from './restart.js';
export { holderPodAnnotation } from './lease.js';
export { killSwitchAnnotation } from './kill-switch.js';
export { reportingController } from './events.js';
