/**
 * The plan library: parse a Sqitch plan (parser.ts), look changes up and
 * edit the plan (plan.ts), write it back byte for byte as Sqitch would
 * (writer.ts), compute change and tag IDs (ids.ts) and script file names
 * (scripts.ts).
 */
export { type DecodedPlan, decodePlanBytes } from "./encoding.ts";
export {
  changeId,
  changeInfo,
  type ChangeInfoFields,
  objectId,
  scriptHash,
  tagId,
  tagInfo,
  type TagInfoFields,
} from "./ids.ts";
export {
  type BlankLine,
  Change,
  type ChangeFields,
  Dependency,
  type DependencySpec,
  formatLine,
  formatNote,
  type PlanContext,
  type PlanLine,
  type PragmaLine,
  Tag,
  type TagFields,
} from "./model.ts";
export { type ParseOptions, parsePlan, readPlan, SYNTAX_VERSION } from "./parser.ts";
export {
  type AddChangeInput,
  type AddTagInput,
  AmbiguousChangeError,
  noteFromArgs,
  parseDependencyArgs,
  Plan,
  type ReworkResult,
  validateChangeName,
  validateTagName,
} from "./plan.ts";
export { scriptSegments } from "./scripts.ts";
export { buildNote, escapeNote, unescapeNote } from "./text.ts";
export { formatTimestamp, isTimestamp } from "./timestamp.ts";
export { formatPlan, type WriteRange } from "./writer.ts";
