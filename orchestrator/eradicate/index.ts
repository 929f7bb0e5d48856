export * from './eradicate';
export { eradicationFolder, parseEradicationRecord, readEradication, writeEradicationRecord } from './record';
export type { PreservedEradication } from './record';
