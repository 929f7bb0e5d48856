import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import { notReached } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import * as v from '../../lib/validation';
import { awsClientConfig } from '../aws-profile';

/**
 * The playbook's Part 1 (validation): whose account does an exposed access key belong to?
 * STS GetAccessKeyInfo answers for any key id, without the key's secret; the answer is
 * compared with the account the responder expects (or, by default, the caller's own).
 */

export const REPORT_ABUSE_URL = 'https://aws.amazon.com/premiumsupport/knowledge-center/report-aws-abuse/';

/** The playbook's step 4 pulls 15 days of activity. */
const LOOKBACK_DAYS = 15;

export interface ValidateInput {
  readonly accessKeyId: string;
  /** @default - the account of the credentials making the call (STS GetCallerIdentity) */
  readonly expectedAccount?: string;
  /** For the suggested investigation window. @default the current time */
  readonly now?: () => Date;
}

export interface ValidationResult {
  readonly accessKeyId: string;
  /** The account the key belongs to, as STS says. */
  readonly keyAccount: string;
  readonly expectedAccount: string;
  /** Where the expected account came from: `--expected-account`, or the caller's credentials. */
  readonly expectedFrom: 'option' | 'caller';
  readonly callerArn?: string;
  /** True when the key belongs to the expected account: continue with the analysis. */
  readonly ours: boolean;
  readonly verdict: string;
  readonly nextSteps: readonly string[];
}

/** An STS client in the Region of the one rule; with none anywhere, us-east-1 (as the playbook). */
export function createStsClient(options: { region?: string; profile?: string } = {}): STSClient {
  return new STSClient(awsClientConfig({ ...options, fallback: 'us-east-1' }));
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const unsent = notReached(`sts:${what}`, error);
    if (unsent) throw new IrKitError('IRKIT_AWS', unsent.message, { hint: unsent.fix, cause: error });
    const name = (error as Error).name ?? 'Error';
    const denied = /AccessDenied|UnauthorizedOperation/.test(name);
    throw new IrKitError('IRKIT_AWS', `STS ${what} failed: ${name}: ${(error as Error).message}`, {
      hint: denied
        ? `the credentials need sts:${what} (the SecurityAnalystRole has it): pass --profile SecurityAnalystRole`
        : 'check your credentials and Region (--profile, --region); offline, nothing can be validated',
      cause: error,
    });
  }
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '/');
}

export async function validateAccessKey(sts: STSClient, input: ValidateInput): Promise<ValidationResult> {
  const accessKeyId = v.accessKeyId(input.accessKeyId);
  const option = input.expectedAccount === undefined ? undefined : v.accountId(input.expectedAccount);

  const info = await call('GetAccessKeyInfo', () =>
    sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId })),
  );
  if (!info.Account) {
    throw new IrKitError('IRKIT_AWS', `STS GetAccessKeyInfo returned no account for ${accessKeyId}`, {
      hint: 'retry; if it persists, check the key id',
    });
  }
  let expectedAccount = option;
  let callerArn: string | undefined;
  if (expectedAccount === undefined) {
    const caller = await call('GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
    if (!caller.Account) {
      throw new IrKitError('IRKIT_AWS', 'STS GetCallerIdentity returned no account', {
        hint: 'pass --expected-account with your account id',
      });
    }
    expectedAccount = caller.Account;
    callerArn = caller.Arn;
  }

  const ours = info.Account === expectedAccount;
  const now = input.now?.() ?? new Date();
  const from = day(new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000));
  const whose =
    option === undefined ? `your account ${expectedAccount} (the caller's)` : `account ${expectedAccount}`;
  return {
    accessKeyId,
    keyAccount: info.Account,
    expectedAccount,
    expectedFrom: option === undefined ? 'caller' : 'option',
    ...(callerArn ? { callerArn } : {}),
    ours,
    verdict: ours
      ? `${accessKeyId} belongs to ${whose}: continue with the analysis`
      : `${accessKeyId} belongs to account ${info.Account}, not ${whose}: report it to AWS, do not investigate it here`,
    nextSteps: ours
      ? [
          `identify the key's owner and custodian; with their approval, disable it (playbook steps 2 and 3)`,
          `irkit investigate --access-key-id ${accessKeyId} --from ${from} --to ${day(now)}`,
        ]
      : [
          `if account ${info.Account} is yours after all, rerun with --expected-account ${info.Account} (or with that account's credentials)`,
          `otherwise report the exposed key to the AWS Trust & Safety team: ${REPORT_ABUSE_URL}`,
        ],
  };
}
