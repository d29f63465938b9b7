// Prints one closing line after vitest's own report, in the form the CI system
// recognises: `tests: N passed, N failed, N skipped`, counting individual tests.
// A test file that fails to load, a failing suite hook and an unhandled error
// each count as one failure: their tests never ran, and the line must never read "0 failed" when
// the run failed.
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  private write: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

  onInit(vitest: Vitest): void {
    this.write = (line) => vitest.logger.log(line);
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): Promise<void> {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const testModule of testModules) {
      if (testModule.errors().length > 0) failed += 1;
      // A failing beforeAll/afterAll belongs to its suite, not to any one test.
      for (const suite of testModule.children.allSuites()) if (suite.errors().length > 0) failed += 1;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1; // 'skipped' (skip, todo) and 'pending' (never ran)
      }
    }
    // Reporters are called together; let the default reporter finish first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
