import { answerSection } from '../work/main/bench/answer-section.js';
console.log(await answerSection());
