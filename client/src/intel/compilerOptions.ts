/**
 * How Monaco's TypeScript workers read the project: as a bundler-built ES module
 * project (Vite, esbuild), the kind people write in a browser editor. JavaScript
 * files are not type-checked (no `checkJs`), TypeScript files are.
 *
 * Set once, before a worker starts: changing the options restarts the workers.
 */
import {
  JsxEmit,
  ModuleKind,
  ScriptTarget,
  javascriptDefaults,
  typescriptDefaults,
  type CompilerOptions,
  type ModuleResolutionKind,
} from 'monaco-editor/languages/features/typescript/register.js';

/** TypeScript's `moduleResolution: "bundler"`; Monaco's enum stops at `NodeJs`. */
const MODULE_RESOLUTION_BUNDLER = 100 as ModuleResolutionKind;

const COMPILER_OPTIONS: CompilerOptions = {
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleResolution: MODULE_RESOLUTION_BUNDLER,
  // Models may have any name; Monaco needs this to treat them as sources.
  allowNonTsExtensions: true,
  allowJs: true,
  checkJs: false,
  // `import './util.ts'` is fine in a project nothing compiles to disk.
  allowImportingTsExtensions: true,
  noEmit: true,
  jsx: JsxEmit.ReactJSX,
  esModuleInterop: true,
  strict: true,
  skipLibCheck: true,
};

export function configureTypeScript(): void {
  typescriptDefaults.setCompilerOptions(COMPILER_OPTIONS);
  javascriptDefaults.setCompilerOptions(COMPILER_OPTIONS);
}
