/** Reading tasks: what any gateway's create and task answers say, in the node's own words. */
export { taskOfCreateAnswer } from './createAnswer';
export { snapshotOf } from './snapshot';
export type { TaskSnapshot } from './snapshot';
export { isFinal, meaningOf, normalizeWord } from './statusWords';
export type { StatusMeaning, TaskStatus, WordSource } from './statusWords';
export { parseProgress } from './answerFields';
