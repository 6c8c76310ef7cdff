import { readFileSync } from 'node:fs';

/**
 * Peak RSS of this process. Not `process.resourceUsage().maxRSS`: Linux keeps ru_maxrss across
 * fork and exec, so a child spawned by a big parent reports the parent's peak. VmHWM belongs to
 * the address space, which exec makes new.
 */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS * 1024;
}
