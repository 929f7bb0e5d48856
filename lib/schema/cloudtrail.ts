import { Field, field, struct } from './types';

/**
 * Every field of the current CloudTrail record (record version 1.11), in the shape Athena's
 * CloudTrail table gives it. Nested documents whose shape varies by API
 * (requestParameters, responseElements, additionalEventData, serviceEventDetails,
 * edgeDeviceDetails) are JSON strings, as in Athena.
 */
export const CLOUDTRAIL_FIELDS: readonly Field[] = [
  field('eventVersion', 'string'),
  field(
    'userIdentity',
    struct(
      field('type', 'string'),
      field('principalId', 'string'),
      field('arn', 'string'),
      field('accountId', 'string'),
      field('invokedBy', 'string'),
      field('accessKeyId', 'string'),
      field('userName', 'string'),
      field('onBehalfOf', struct(field('userId', 'string'), field('identityStoreArn', 'string'))),
      field(
        'sessionContext',
        struct(
          field('attributes', struct(field('mfaAuthenticated', 'string'), field('creationDate', 'string'))),
          field(
            'sessionIssuer',
            struct(
              field('type', 'string'),
              field('principalId', 'string'),
              field('arn', 'string'),
              field('accountId', 'string'),
              field('userName', 'string'),
            ),
          ),
          field('ec2RoleDelivery', 'string'),
          field(
            'webIdFederationData',
            struct(field('federatedProvider', 'string'), field('attributes', { map: ['string', 'string'] })),
          ),
          field('sourceIdentity', 'string'),
        ),
      ),
      field('identityProvider', 'string'),
      field('credentialId', 'string'),
      // Credentials AWS issued to a resource (a Lambda function, an EC2 instance) it runs as.
      field(
        'inScopeOf',
        struct(
          field('issuerType', 'string'),
          field('credentialsIssuedTo', 'string'),
          field('credentialsIssuedToVersion', 'string'),
          field('sourceArn', 'string'),
          field('sourceAccount', 'string'),
        ),
      ),
    ),
  ),
  field('eventTime', 'string'),
  field('eventSource', 'string'),
  field('eventName', 'string'),
  field('awsRegion', 'string'),
  field('sourceIPAddress', 'string'),
  field('userAgent', 'string'),
  field('errorCode', 'string'),
  field('errorMessage', 'string'),
  field('requestParameters', 'string', 'JSON document'),
  field('responseElements', 'string', 'JSON document'),
  field('additionalEventData', 'string', 'JSON document'),
  field('requestID', 'string'),
  field('eventID', 'string'),
  field('readOnly', 'string'),
  field('resources', {
    array: struct(field('ARN', 'string'), field('accountId', 'string'), field('type', 'string')),
  }),
  field('eventType', 'string'),
  field('apiVersion', 'string'),
  field('managementEvent', 'boolean'),
  field('recipientAccountId', 'string'),
  field('serviceEventDetails', 'string', 'JSON document'),
  field('sharedEventID', 'string'),
  field('vpcEndpointId', 'string'),
  field('vpcEndpointAccountId', 'string'),
  field('eventCategory', 'string'),
  field(
    'addendum',
    struct(
      field('reason', 'string'),
      field('updatedFields', 'string'),
      field('originalRequestID', 'string'),
      field('originalEventID', 'string'),
    ),
  ),
  field('sessionCredentialFromConsole', 'string'),
  field('edgeDeviceDetails', 'string', 'JSON document'),
  field(
    'tlsDetails',
    struct(
      field('tlsVersion', 'string'),
      field('cipherSuite', 'string'),
      field('clientProvidedHostHeader', 'string'),
    ),
  ),
];

/** Columns stored as JSON text even though the record holds an object. */
export const CLOUDTRAIL_JSON_COLUMNS: readonly string[] = CLOUDTRAIL_FIELDS.filter(
  (f) => f.comment === 'JSON document',
).map((f) => f.name);

/** Partition keys of both log tables, in storage-path order after the date. */
export const PARTITION_KEYS = {
  account: 'account_partition',
  region: 'region_partition',
  date: 'date_partition',
} as const;

/** date_partition's projection format: the playbook filters with `date_partition >= '2021/07/16'`. */
export const DATE_PARTITION_FORMAT = 'yyyy/MM/dd';
