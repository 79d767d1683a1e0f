export {
  DIRECTIONS,
  type Direction,
  DirectionSchema,
  type Disposition,
  DispositionSchema,
  ENGAGEMENT_KINDS,
  type Engagement,
  type EngagementKind,
  EngagementKindSchema,
  EngagementSchema,
  IsoUtcSchema,
  type KnownProviderId,
  type Note,
  NoteSchema,
  type Participant,
  ParticipantSchema,
  type RelatedRecord,
  RelatedRecordSchema,
  type Tag,
  TagSchema,
} from './engagement';
export { hasOnlyFiniteNumbers } from './finite';
export { toDurationSeconds, toIsoUtc, toIsoUtcStrict } from './time';
