import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnTopic, Topic } from 'aws-cdk-lib/aws-sns';

import { acknowledge } from '../../lib/compliance';
import { compliantApp, nagFindings } from '../helpers/compliance';

/** SNS topics without a KMS key and without an SSL-only policy draw AwsSolutions-SNS2 and -SNS3. */
function stackWithPlainTopic(): { app: App; stack: Stack; topic: Topic } {
  const app = compliantApp();
  const stack = new Stack(app, 'Plain');
  const topic = new Topic(stack, 'Topic');
  return { app, stack, topic };
}

describe('applyCompliance', () => {
  it('fails synth on an unacknowledged finding', () => {
    const { app } = stackWithPlainTopic();
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });

  it('fails Template.fromStack on an unacknowledged finding', () => {
    const { stack } = stackWithPlainTopic();
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-SNS3/);
  });

  it('passes once every finding is acknowledged, and records why in the template', () => {
    const { stack, topic } = stackWithPlainTopic();
    acknowledge(topic, 'AwsSolutions-SNS2', 'test topic carries no data, so no KMS key is needed here');
    acknowledge(
      topic,
      'AwsSolutions-SNS3',
      'test topic has no subscribers and no publishers outside the stack',
    );
    expect(nagFindings(stack)).toEqual([]);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SNS::Topic', {
      Metadata: {
        cdk_nag: {
          rules_to_suppress: [
            { id: 'AwsSolutions-SNS2', reason: 'test topic carries no data, so no KMS key is needed here' },
            {
              id: 'AwsSolutions-SNS3',
              reason: 'test topic has no subscribers and no publishers outside the stack',
            },
          ],
        },
      },
    });
  });

  it('does not hide one finding when another is acknowledged', () => {
    const { stack, topic } = stackWithPlainTopic();
    acknowledge(topic, 'AwsSolutions-SNS2', 'test topic carries no data, so no KMS key is needed here');
    expect(nagFindings(stack)).toEqual(['AwsSolutions-SNS3 @ Plain/Topic/Resource']);
  });
});

describe('acknowledge', () => {
  it('refuses a scope that is not one resource', () => {
    const { stack } = stackWithPlainTopic();
    expect(() => acknowledge(stack, 'AwsSolutions-SNS2', 'a reason that is long enough to read')).toThrow(
      /not a single resource/,
    );
  });

  it('refuses an id that is not one AwsSolutions rule or finding', () => {
    const { topic } = stackWithPlainTopic();
    expect(() => acknowledge(topic, 'SNS2', 'a reason that is long enough to read')).toThrow(
      /name one AwsSolutions rule/,
    );
    expect(() => acknowledge(topic, 'AwsSolutions-*', 'a reason that is long enough to read')).toThrow(
      /name one AwsSolutions rule/,
    );
  });

  it('refuses a reason that says nothing', () => {
    const { topic } = stackWithPlainTopic();
    expect(() => acknowledge(topic, 'AwsSolutions-SNS2', 'ok')).toThrow(/give a specific reason/);
  });

  it('accepts the L1 resource itself', () => {
    const { stack, topic } = stackWithPlainTopic();
    const cfn = topic.node.defaultChild as CfnTopic;
    acknowledge(cfn, 'AwsSolutions-SNS2', 'test topic carries no data, so no KMS key is needed here');
    expect(nagFindings(stack)).toEqual(['AwsSolutions-SNS3 @ Plain/Topic/Resource']);
  });
});
