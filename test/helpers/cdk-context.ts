import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CDK_JSON = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * The CDK feature flags of cdk.json (its context without the kit's own config), so the
 * templates the tests assert on and simulate are the ones `cdk deploy` deploys.
 */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(CDK_JSON.context).filter(([key]) => key !== 'irkit' && !key.startsWith('irkit:')),
);
