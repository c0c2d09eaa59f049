export { ContributionList } from './ContributionList';
export { RatingDetail } from './RatingDetail';
export { RatingExplanation } from './RatingExplanation';
export { StreetCard } from './StreetCard';
export { TriColour } from './TriColour';
