/**
 * Opt-in integration test against a deployed IrKitAnalytics stack: what only Athena can prove.
 * Every query of the library runs in the kit's workgroup, over the kit's Glue tables (their
 * DDL, partition projection and column types), through the real AthenaEngine with
 * ExecutionParameters, and must return the same columns as the local engine gives for the
 * same SQL. Reads only: it starts queries and reads their results, nothing else.
 *
 *   IRKIT_SANDBOX_ACCOUNT=111122223333 AWS_REGION=us-east-1 AWS_PROFILE=sandbox \
 *     npx jest test/orchestrator/engines/athena.sandbox.test.ts
 *
 * Skipped unless IRKIT_SANDBOX_ACCOUNT is set and credentials are configured; refuses to run
 * when the credentials belong to any other account. Scans at most a day of logs per query.
 */

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import { QUERIES, QueryDefinition, TableNames } from '../../../lib/queries';
import { ANALYTICS_OUTPUTS, ANALYTICS_STACK_NAME } from '../../../lib/stacks/analytics-stack';
import { AthenaEngine, createAthenaClient } from '../../../orchestrator/engines/athena';
import { LocalEngine } from '../../../orchestrator/engines/local';
import { FLOW_HEADER, LogTree, flowLine, playbookKeyCalls } from './fixtures';
import { SANDBOX, describeInSandbox } from '../../helpers/sandbox';

/** Yesterday, as date_partition: a day the trail has surely delivered, and little to scan. */
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10).replace(/-/g, '/');

/** Each parameter's example value, over DAY only. */
function valuesOf(query: QueryDefinition): Record<string, string> {
  return Object.fromEntries(query.params.map((p) => [p.name, p.kind === 'date' ? DAY : p.example]));
}

describeInSandbox('the query library on a deployed IrKitAnalytics (IRKIT_SANDBOX_ACCOUNT)', () => {
  jest.setTimeout(30 * 60_000);
  const region = process.env.AWS_REGION;
  const profile = process.env.AWS_PROFILE;
  let athena: AthenaEngine;
  let local: LocalEngine;
  const logs = new LogTree();

  beforeAll(async () => {
    const sts = new STSClient({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    if (me.Account !== SANDBOX) {
      throw new Error(
        `credentials are for account ${me.Account}, not the sandbox ${SANDBOX}: refusing to run`,
      );
    }
    const cfn = new CloudFormationClient({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: ANALYTICS_STACK_NAME })))
      .Stacks?.[0];
    const output = (key: string) => {
      const value = stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
      if (!value) throw new Error(`${ANALYTICS_STACK_NAME} has no output ${key}: deploy it first`);
      return value;
    };
    const names: TableNames = {
      database: output(ANALYTICS_OUTPUTS.databaseName),
      cloudTrailTable: output(ANALYTICS_OUTPUTS.cloudTrailTableName),
      vpcFlowTable: output(ANALYTICS_OUTPUTS.vpcFlowTableName),
    };
    athena = new AthenaEngine({
      client: createAthenaClient({ region, profile }),
      workGroup: output(ANALYTICS_OUTPUTS.workgroupName),
      names,
    });
    logs.cloudTrail(DAY, playbookKeyCalls());
    logs.flowLog(DAY, FLOW_HEADER, [flowLine('198.51.100.77', '10.0.0.5')]);
    local = await LocalEngine.open({ logs: logs.root, names });
  });

  afterAll(async () => {
    await local?.close();
    logs.remove();
  });

  test.each(QUERIES.map((q) => [q.id, q] as const))(
    '%s runs on Athena with the local engine’s columns',
    async (_, query) => {
      const values = valuesOf(query);
      const [onAthena, onLocal] = [await athena.run(query, values), await local.run(query, values)];
      expect(onAthena.columns).toEqual(onLocal.columns);
    },
  );
});
