// Every report kind, one line each. To add one: docs/reports.md.
export { closureDiff, closureDiffTitle } from './closureDiff';
export { provenance } from './provenance';
export { lockVerify, lockFindRev } from './lock';
export { findGenerations } from './findGenerations';
export { storeCompare } from './storeCompare';
export { initrdInspect } from './initrdInspect';
export { rehearsal, type RehearsalData } from './rehearsal';
