export { Ranking } from './Ranking';
export { ResultBreakdown } from './ResultBreakdown';
export { Scorecards } from './Scorecards';
