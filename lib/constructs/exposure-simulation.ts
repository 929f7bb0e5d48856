import { Duration, RemovalPolicy, SecretValue, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

import { IrKitError } from '../errors';
import { DEFAULT_NAMES } from '../names';
import { acknowledge } from '../compliance';
import { acknowledgeWildcardResource } from './private/nag';
import { checkedName, USER_NAME_RULE } from './private/names';

export interface ExposureSimulationProps {
  /**
   * The only account this construct may be deployed to. It creates a live access key with the
   * right to make an administrator, so anywhere else synth refuses.
   */
  readonly sandboxAccount: string;
  /**
   * The exposed IAM user.
   * @default 'JorgeSouza'
   */
  readonly userName?: string;
  /**
   * Names of the users the attack script creates start with this (the playbook's JaneDoe,
   * with a run id appended). The exposed key may create and escalate only such users.
   * @default 'JaneDoe'
   */
  readonly createdUserNamePrefix?: string;
}

/** Tag on what the simulation stack creates, so nobody mistakes the user for a real one. */
export const SIMULATION_TAG = { key: 'irkit:simulation', value: 'exposed-user' } as const;

/** Shape of the secret's JSON value, read by the attack script. */
export interface SimulationSecretValue {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The playbook's exposed IAM user (JorgeSouza) with exactly what the attack script does with
 * the key: CreateUser + TagUser, AttachUserPolicy of AdministratorAccess only, and
 * CreateAccessKey, each on the users the attack creates only. (Its first call,
 * sts:GetCallerIdentity, needs no permission: IAM cannot deny it.) Its access key lives in
 * Secrets Manager under a customer key and never appears in a stack output.
 */
export class ExposureSimulation extends Construct {
  public readonly user: iam.User;
  public readonly policy: iam.ManagedPolicy;
  public readonly secret: secretsmanager.Secret;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ExposureSimulationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || stack.account !== props.sandboxAccount) {
      const shown = Token.isUnresolved(stack.account) ? 'an unspecified account' : `account ${stack.account}`;
      throw new IrKitError(
        'IRKIT_CONFIG',
        `refusing to synthesize the exposure simulation for ${shown}: it creates a live, deliberately exposed access key and is allowed only in the sandbox account ${props.sandboxAccount}`,
        { hint: 'deploy the simulation stack with env.account equal to simulation.sandboxAccount' },
      );
    }
    const userName = checkedName(
      'simulation user name',
      props.userName ?? DEFAULT_NAMES.simulationUserName,
      USER_NAME_RULE,
    );
    const prefix = checkedName(
      'created user name prefix',
      props.createdUserNamePrefix ?? 'JaneDoe',
      USER_NAME_RULE,
    );
    const createdUsers = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: `${prefix}*`,
    });

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'IR Kit simulation: exactly what the attack script does with the exposed key.',
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateRogueUser',
          actions: ['iam:CreateUser', 'iam:TagUser', 'iam:CreateAccessKey'],
          resources: [createdUsers],
        }),
        new iam.PolicyStatement({
          sid: 'AttachAdministratorAccessOnly',
          actions: ['iam:AttachUserPolicy'],
          resources: [createdUsers],
          conditions: {
            ArnEquals: { 'iam:PolicyARN': `arn:${stack.partition}:iam::aws:policy/AdministratorAccess` },
          },
        }),
      ],
    });
    acknowledgeWildcardResource(
      this.policy,
      createdUsers,
      'The attack script names each rogue user with a run id after the prefix, so the exact names are unknown until it runs.',
    );
    this.user = new iam.User(this, 'User', { userName, managedPolicies: [this.policy] });
    Tags.of(this.user).add(SIMULATION_TAG.key, SIMULATION_TAG.value);

    const accessKey = new iam.AccessKey(this, 'AccessKey', { user: this.user });
    // The key only protects this secret, which goes away with the stack; keeping it would cost
    // money and protect nothing.
    this.key = new kms.Key(this, 'Key', {
      description: 'IR Kit simulation: encrypts the exposed access key secret.',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const value: Record<keyof SimulationSecretValue, SecretValue> = {
      // The key id is an identifier, not a secret; the secret access key stays a reference.
      accessKeyId: SecretValue.unsafePlainText(accessKey.accessKeyId),
      secretAccessKey: accessKey.secretAccessKey,
    };
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `IR Kit simulation: the access key of ${userName}, exposed on purpose.`,
      encryptionKey: this.key,
      secretObjectValue: value,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'The secret holds the access key whose exposure the workshop simulates; rotating it would end the exercise. The stack is deleted after the workshop.',
    );
  }
}
