export * from './cidr';
export * from './special-ranges';
export * from './ip-ranges';
export * from './tor-exits';
export * from './classify';
export * from './sources';
export * from './related-findings';
