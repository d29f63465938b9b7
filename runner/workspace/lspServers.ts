/**
 * The language servers a workspace runs, and how they are started: each
 * one's command in the workspace image, the languages it serves, its
 * settings, and the capabilities Tandem declares to it. The capabilities
 * declare no workspace edits and no configuration requests: Tandem only reads.
 */
import type { LspLanguage } from '../../shared/lsp/protocol.js';
import type { ProjectUris } from './lspResults.js';
import { PROJECT_ROOT } from './Workspace.js';

export interface ServerSpec {
  name: string;
  command: string[];
  languages: readonly LspLanguage[];
  /** Sent as `workspace/didChangeConfiguration` once initialised. */
  settings?: object;
}

const SERVERS: readonly ServerSpec[] = [
  {
    name: 'pylsp',
    command: ['pylsp'],
    languages: ['python'],
    settings: {
      pylsp: {
        plugins: {
          // Errors and undefined names (pyflakes), not style: people did not ask for a linter.
          pyflakes: { enabled: true },
          pycodestyle: { enabled: false },
          mccabe: { enabled: false },
          pydocstyle: { enabled: false },
          pylint: { enabled: false },
          flake8: { enabled: false },
          autopep8: { enabled: false },
          yapf: { enabled: false },
          rope_autoimport: { enabled: false },
          rope_completion: { enabled: false },
          jedi_completion: { include_params: false },
        },
      },
    },
  },
  {
    name: 'clangd',
    // Nothing written into the project (no index, no precompiled headers on disk), no edits added to
    // completions, and completions from the parser, never a guess from the file's words.
    command: [
      'clangd',
      '--background-index=false',
      '--pch-storage=memory',
      '--header-insertion=never',
      '--header-insertion-decorators=false',
      '--completion-parse=always',
      '--log=error',
    ],
    languages: ['c', 'cpp'],
  },
];

export function specOf(language: LspLanguage): ServerSpec {
  return SERVERS.find((spec) => spec.languages.includes(language))!;
}

export function initializeParams(uris: ProjectUris): object {
  const markup = ['markdown', 'plaintext'];
  return {
    processId: null,
    clientInfo: { name: 'tandem' },
    rootUri: uris.rootUri,
    rootPath: PROJECT_ROOT,
    workspaceFolders: [{ uri: uris.rootUri, name: 'project' }],
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      workspace: { applyEdit: false, configuration: false, workspaceFolders: true },
      textDocument: {
        synchronization: { didSave: false, willSave: false },
        completion: {
          completionItem: { snippetSupport: true, documentationFormat: markup, insertReplaceSupport: true },
          contextSupport: true,
        },
        hover: { contentFormat: markup },
        signatureHelp: {
          signatureInformation: {
            documentationFormat: markup,
            parameterInformation: { labelOffsetSupport: true },
            activeParameterSupport: true,
          },
        },
        definition: { linkSupport: true },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        publishDiagnostics: { relatedInformation: false },
      },
    },
  };
}
