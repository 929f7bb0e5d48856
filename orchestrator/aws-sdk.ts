import type * as Athena from '@aws-sdk/client-athena';
import type * as CloudFormation from '@aws-sdk/client-cloudformation';
import type * as EC2 from '@aws-sdk/client-ec2';
import type * as GuardDuty from '@aws-sdk/client-guardduty';
import type * as Health from '@aws-sdk/client-health';
import type * as IAM from '@aws-sdk/client-iam';
import type * as S3 from '@aws-sdk/client-s3';
import type * as STS from '@aws-sdk/client-sts';

/**
 * The AWS SDK client packages, each loaded when first used, for the modules most commands load
 * (the containment kinds, which the investigation's plan and the report describe; the query
 * engines). Together the packages take most of a second to load, which a command that makes no
 * AWS call (an offline investigation, a query over local logs, the demo) should not pay:
 *
 *     const { GetUserCommand } = sdk.iam();
 *     const client = new (sdk.athena().AthenaClient)(config);
 *
 * Types come from `import type`, which costs nothing at run time.
 */
export const sdk = {
  athena: once(() => load<typeof Athena>('@aws-sdk/client-athena')),
  cloudFormation: once(() => load<typeof CloudFormation>('@aws-sdk/client-cloudformation')),
  ec2: once(() => load<typeof EC2>('@aws-sdk/client-ec2')),
  guardDuty: once(() => load<typeof GuardDuty>('@aws-sdk/client-guardduty')),
  health: once(() => load<typeof Health>('@aws-sdk/client-health')),
  iam: once(() => load<typeof IAM>('@aws-sdk/client-iam')),
  s3: once(() => load<typeof S3>('@aws-sdk/client-s3')),
  sts: once(() => load<typeof STS>('@aws-sdk/client-sts')),
};

function once<T>(get: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= get());
}

function load<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}
