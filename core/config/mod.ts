/**
 * The configuration system's public face: loading and merging the
 * system/user/local files, reading values, and editing files in place the
 * way Sqitch (Config::GitLike) does.
 */
export type { ConfigReader, RawValue } from "./reader.ts";
export {
  COMPAT_KEY,
  compatMode,
  loadConfig,
  type LoadConfigOptions,
  LoadedConfig,
} from "./config.ts";
export {
  type CompatMode,
  type ConfigFileRef,
  type ConfigFiles,
  discoverConfigFiles,
  type DiscoveryOptions,
  type LocalScopeFiles,
  type Scope,
  type ScopeFiles,
  SCOPES,
  SQITCH_CONF,
  SQLITCH_CONF,
} from "./discovery.ts";
export { ConfigData, type ConfigEntry, dumpEntries, filterValues, formatEntry } from "./data.ts";
export {
  buildConfigText,
  type CommentOptions,
  ConfigDocument,
  type DocumentSource,
  type DocumentStep,
  formatDefinition,
  formatSection,
  NoSuchSectionError,
  type SetOperation,
} from "./document.ts";
export { castNumber, type CastType, castValue, parseBool } from "./cast.ts";
export { canonicalKey, type KeyParts, sectionKey, splitKey } from "./keys.ts";
export { INCLUDE_KEY, loadConfigFile } from "./loader.ts";
export { normalizeText, parseConfigText, type ParseEvent } from "./parser.ts";
export {
  editConfigFile,
  readConfigDocument,
  writeConfigDocument,
  writeConfigText,
  type WriteOptions,
} from "./writer.ts";
