// A generator function runs nothing until it is iterated, so a call whose generator is thrown
// away does nothing, silently. The replica's handlers that change the log (`install`,
// `onDecision`) are generators that RawNode drains slot by slot (RawNode.takeReplica): calling
// one as a statement would drop the decision and every outcome after it, and no test need notice
// at once. This rule flags a call statement whose value is a Generator or AsyncGenerator. Discard
// one on purpose with `void`.
import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';

export default ESLintUtils.RuleCreator.withoutDocs({
  meta: {
    type: 'problem',
    messages: {
      discarded:
        'This call returns a {{name}} that nothing iterates, so none of its body runs. Iterate it (for…of, spread) or discard it with `void`.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    return {
      ExpressionStatement(node) {
        const call =
          node.expression.type === AST_NODE_TYPES.ChainExpression
            ? node.expression.expression
            : node.expression;
        if (call.type !== AST_NODE_TYPES.CallExpression) return;
        // `g?.()` is `Generator | undefined`: look at each member of a union.
        const type = services.getTypeAtLocation(call);
        const name = (type.isUnion() ? type.types : [type])
          .map((t) => t.getSymbol()?.getName())
          .find((n) => n === 'Generator' || n === 'AsyncGenerator');
        if (name !== undefined) context.report({ node, messageId: 'discarded', data: { name } });
      },
    };
  },
});
