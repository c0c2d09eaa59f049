export * from './module.js';
export * from './config.js';
export { demoCityFiles, type DemoCityInput, type DemoCityFiles } from './demo/demo-city.js';
export { ACCEPTANCE_CITY, fixtureCity, fixtureCityWorkbook, type FixtureCity } from './demo/fixture-city.js';
export * from './pii-rotation.js';
