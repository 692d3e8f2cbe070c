// The rule as ESLint's configuration takes it, for the TypeScript test that imports it
// (test/lint-rules.test.ts).
import type { Rule } from 'eslint';

declare const rule: Rule.RuleModule;
export default rule;
