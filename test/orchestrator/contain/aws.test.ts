import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { S3ServiceException } from '@aws-sdk/client-s3';

import { awsErrorName, isAwsError, unlessAwsError } from '../../../orchestrator/contain/aws';

/** An error as the SDK builds it from IAM's `<Code>NoSuchEntity</Code>`: modelled name, raw Code. */
function iamNoSuchEntity(): NoSuchEntityException {
  return Object.assign(
    new NoSuchEntityException({ message: 'The user with name x cannot be found.', $metadata: {} }),
    {
      Code: 'NoSuchEntity',
    },
  );
}

describe('isAwsError', () => {
  test('matches the raw code and the modelled name, whichever the caller names', () => {
    const wire = iamNoSuchEntity();
    const modelledOnly = new NoSuchEntityException({ message: 'm', $metadata: {} });
    const rawOnly = { Code: 'NoSuchEntity', message: 'm' };
    for (const error of [wire, modelledOnly, rawOnly]) {
      expect(isAwsError(error, 'NoSuchEntity')).toBe(true);
      expect(isAwsError(error, 'NoSuchEntityException')).toBe(true);
    }
  });

  test('S3 codes have one spelling', () => {
    const error = new S3ServiceException({
      name: 'NoSuchBucketPolicy',
      $fault: 'client',
      $metadata: {},
      message: 'm',
    });
    expect(isAwsError(error, 'NoSuchBucketPolicy')).toBe(true);
    expect(isAwsError(error, 'NoSuchBucket')).toBe(false);
  });

  test('any of several codes; nothing for other errors or non-errors', () => {
    expect(isAwsError(iamNoSuchEntity(), 'AccessDenied', 'NoSuchEntity')).toBe(true);
    expect(isAwsError(iamNoSuchEntity(), 'LimitExceeded')).toBe(false);
    expect(isAwsError(new Error('x'), 'NoSuchEntity')).toBe(false);
    expect(isAwsError(undefined, 'NoSuchEntity')).toBe(false);
    expect(isAwsError('NoSuchEntity', 'NoSuchEntity')).toBe(false);
  });
});

describe('awsErrorName', () => {
  test('is the modelled name, for messages', () => {
    expect(awsErrorName(iamNoSuchEntity())).toBe('NoSuchEntityException');
    expect(awsErrorName({ Code: 'Throttling' })).toBe('Throttling');
    expect(awsErrorName(undefined)).toBe('');
  });
});

describe('unlessAwsError', () => {
  test('turns the listed errors into undefined and rethrows others', async () => {
    await expect(
      unlessAwsError(['NoSuchEntity'], () => Promise.reject(iamNoSuchEntity())),
    ).resolves.toBeUndefined();
    await expect(unlessAwsError(['NoSuchEntity'], () => Promise.resolve(1))).resolves.toBe(1);
    await expect(unlessAwsError(['AccessDenied'], () => Promise.reject(iamNoSuchEntity()))).rejects.toThrow(
      'cannot be found',
    );
  });
});
