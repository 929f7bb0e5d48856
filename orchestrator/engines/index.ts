export * from './engine';
export * from './discovery';
export * from './local';
export * from './athena';
export * from './open';
