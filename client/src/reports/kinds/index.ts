// Every report kind, one line each. To add one: docs/reports.md.
export { closureDiff, closureDiffTitle, type ClosureDiffData } from './closureDiff';
export { provenance, type ProvenanceData } from './provenance';
export { lockVerify, lockFindRev, type LockVerifyData, type LockFindRevData } from './lock';
export { findGenerations, type FindGenerationsData } from './findGenerations';
export { storeCompare, type StoreCompareData } from './storeCompare';
export { initrdInspect, type InitrdInspectData } from './initrdInspect';
export { rehearsal, type RehearsalData } from './rehearsal';
