/**
 * A local HTTP server that the REAL AWS SDK v3 clients talk to, answering with the bodies AWS documents, so
 * tests prove the code's error handling on the wire (the error names, codes and retries the SDK really
 * produces) rather than against hand-made `{ name: ... }` objects.
 *
 * The shapes follow AWS's documentation:
 * - AWS Query protocol (IAM, STS, CloudFormation): form-encoded `Action=...&Version=...` requests;
 *   success `<XxxResponse xmlns=NS><XxxResult>...</XxxResult><ResponseMetadata><RequestId>` and errors
 *   `<ErrorResponse xmlns=NS><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
 *   <RequestId>..</RequestId></ErrorResponse>` ("Making Query requests" / "Common Errors" in the IAM, STS and
 *   CloudFormation API references; Smithy's awsQuery protocol spec).
 * - S3 (REST-XML, path-style): operation by method + path + subresource (`?policy`, `?tagging`, ...); errors
 *   `<?xml ...?><Error><Code>..</Code><Message>..</Message><BucketName>..</BucketName><RequestId>..</RequestId>
 *   <HostId>..</HostId></Error>` (Amazon S3 API Reference, "Error responses"); GetBucketPolicy answers the
 *   raw policy JSON. HEAD errors carry no body (S3 sends none), so the SDK names them by status (`NotFound`).
 * - AWS JSON protocol (awsJson1.0/1.1, e.g. Athena): `X-Amz-Target: Prefix.Operation`, errors
 *   `{"__type": "Code", "message": "..."}` (Smithy's awsJson1_1 protocol spec).
 * - EC2 Query (form-encoded like Query, lists as `Name.N`): success `<XxxResponse xmlns=NS><requestId>..` with
 *   the result's elements directly inside; errors `<Response><Errors><Error><Code/><Message/></Error></Errors>
 *   <RequestID/></Response>` (EC2 API Reference, "Error codes").
 * - REST-JSON (restJson1, e.g. GuardDuty): operation by method and path (REST_JSON_OPERATIONS), errors
 *   `{"__type": "Code", "message": "..."}` with the `x-amzn-errortype` header (Smithy's restJson1 spec).
 * - Throttling: Query `<Code>Throttling</Code>` with HTTP 400, S3 `SlowDown` with 503, EC2
 *   `RequestLimitExceeded` with 503, REST-JSON HTTP 429.
 *
 * The service of a request comes from its SigV4 credential scope (`Credential=AKID/date/region/iam/...`), as
 * every client here signs with static test credentials; a Query body's `Version` is the fallback.
 *
 * A request with no route answers HTTP 500 naming the service and operation, and `close()` then rejects, so a
 * missing route fails the test even when the code under test catches the error.
 */
import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

import { ConfiguredRetryStrategy } from '@smithy/core/retry';

export type AwsWireService = 'iam' | 'sts' | 'cloudformation' | 's3' | 'ec2' | 'athena' | (string & {});

/** Parameters of a request: form params (Query), `Bucket`/`Key` plus the query string (S3), or JSON input. */
export type WireParams = Record<string, string>;

/** One request as the server saw it. */
export interface WireCall {
  readonly service: string;
  /** The Region of the SigV4 credential scope (every client here signs), or ''. */
  readonly region: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The body's bytes as sent (an S3 PutObject of gzip data is not UTF-8). */
  readonly rawBody: Buffer;
  /** Query: the form params; S3: `Bucket`, `Key` (when present) and the query string; JSON: top-level scalars. */
  readonly params: WireParams;
  /** JSON protocol: the parsed request body. */
  readonly json?: unknown;
  /** Whether a route answered it (false: the 500 "no route" answer). */
  readonly routed: boolean;
}

export interface WireResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Text, or bytes (an S3 GetObject of a gzip file). */
  readonly body?: string | Buffer;
}

export type WireHandler = (params: WireParams, call: WireCall) => WireResponse | Promise<WireResponse>;

export interface WireClientOptions {
  /** Total attempts per call, as the SDK counts them (1 = no retry). Default 3, the SDK's default. */
  readonly maxAttempts?: number;
}

/** The config a client constructor takes; fields a client does not know (forcePathStyle) are ignored. */
export interface WireClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly retryStrategy: ConfiguredRetryStrategy;
  readonly maxAttempts: number;
  readonly forcePathStyle?: boolean;
}

export interface AwsWire {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Every request, in order. */
  readonly calls: readonly WireCall[];
  /** Answers every later `service` `operation` request with `handler` (replacing an earlier `on`). */
  on(service: AwsWireService, operation: string, handler: WireHandler): AwsWire;
  /** Answers only the next `service` `operation` request (queued before the `on` handler). */
  once(service: AwsWireService, operation: string, handler: WireHandler): AwsWire;
  /** Config for `new IAMClient(...)`, `new S3Client(...)`, ...: this endpoint, us-east-1, dummy keys, no backoff. */
  clientConfig(service: AwsWireService, options?: WireClientOptions): WireClientConfig;
  /** The calls of one service (and operation). */
  callsTo(service: AwsWireService, operation?: string): WireCall[];
  /** Forgets the routes and the recorded calls. */
  reset(): void;
  /** Stops the server; rejects when a request had no route (unless allowUnrouted). */
  close(options?: { readonly allowUnrouted?: boolean }): Promise<void>;
}

const QUERY_NAMESPACES: Readonly<Record<string, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
};
const QUERY_VERSIONS: Readonly<Record<string, string>> = {
  '2016-11-15': 'ec2',
  '2010-05-08': 'iam',
  '2011-06-15': 'sts',
  '2010-05-15': 'cloudformation',
};
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

let requestCounter = 0;
function requestId(): string {
  requestCounter += 1;
  return `00000000-0000-4000-8000-${requestCounter.toString(16).padStart(12, '0')}`;
}

const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** Escapes text for an XML element or attribute. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A Query-protocol success body; `result` undefined for actions without a result element (TagUser, ...). */
export function queryXml(
  service: 'iam' | 'sts' | 'cloudformation',
  action: string,
  result?: string,
): WireResponse {
  const ns = QUERY_NAMESPACES[service];
  const resultXml = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  const id = requestId();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
    body:
      `<${action}Response xmlns="${ns}">${resultXml}` +
      `<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export const iamXml = (action: string, result?: string): WireResponse => queryXml('iam', action, result);
export const stsXml = (action: string, result?: string): WireResponse => queryXml('sts', action, result);
export const cfnXml = (action: string, result?: string): WireResponse =>
  queryXml('cloudformation', action, result);

export interface QueryErrorOptions {
  readonly code: string;
  readonly message: string;
  /** HTTP status; default 400. */
  readonly status?: number;
  /** `Sender` (default) or `Receiver`. */
  readonly type?: 'Sender' | 'Receiver';
  /** Sets the service's xmlns on ErrorResponse (the SDK parses the body either way). */
  readonly service?: 'iam' | 'sts' | 'cloudformation';
}

/** A Query-protocol error (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`). */
export function awsQueryError(options: QueryErrorOptions): WireResponse {
  const ns = options.service ? ` xmlns="${QUERY_NAMESPACES[options.service]}"` : '';
  const id = requestId();
  return {
    status: options.status ?? 400,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
    body:
      `<ErrorResponse${ns}><Error><Type>${options.type ?? 'Sender'}</Type>` +
      `<Code>${xmlEscape(options.code)}</Code><Message>${xmlEscape(options.message)}</Message></Error>` +
      `<RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

/** IAM's NoSuchEntity (404) for a user or role name. */
export function iamNoSuchEntity(kind: 'user' | 'role', name: string): WireResponse {
  return awsQueryError({
    service: 'iam',
    code: 'NoSuchEntity',
    status: 404,
    message:
      kind === 'user'
        ? `The user with name ${name} cannot be found.`
        : `The role with name ${name} cannot be found.`,
  });
}

/** Query-protocol throttling, as IAM, STS and CloudFormation send it. */
export function queryThrottling(service?: 'iam' | 'sts' | 'cloudformation'): WireResponse {
  return awsQueryError({ service, code: 'Throttling', message: 'Rate exceeded', status: 400 });
}

/**
 * An EC2 Query success body (EC2 API Reference, "Query requests"): the result's elements sit right
 * under `<XxxResponse>`, beside a lower-case `<requestId>`.
 */
export function ec2Xml(action: string, inner = '<return>true</return>'): WireResponse {
  const id = requestId();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${id}</requestId>${inner}</${action}Response>`,
  };
}

/**
 * An EC2 error (EC2 API Reference, "Error codes"): `<Response><Errors><Error><Code/><Message/></Error>
 * </Errors><RequestID/></Response>`, HTTP 400 for client errors, 503 for RequestLimitExceeded.
 */
export function ec2Error(code: string, message: string, status = 400): WireResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors>` +
      `<RequestID>${requestId()}</RequestID></Response>`,
  };
}

/** EC2's throttling answer. */
export function ec2Throttling(): WireResponse {
  return ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);
}

/** An EC2 Query list (`InstanceId.1`, `Filter.1.Value.2`): the values of `prefix.N`, in order. */
export function ec2List(params: WireParams, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  return Object.entries(params)
    .map(([key, value]) => [pattern.exec(key)?.[1], value] as const)
    .filter((e): e is readonly [string, string] => e[0] !== undefined)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, value]) => value);
}

/** EC2 Query filters: `Filter.N.Name` with `Filter.N.Value.M`, by name. */
export function ec2Filters(params: WireParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, name] of Object.entries(params)) {
    const n = /^Filter\.(\d+)\.Name$/.exec(key)?.[1];
    if (n) out.set(name, ec2List(params, `Filter.${n}.Value`));
  }
  return out;
}

export interface S3ErrorOptions {
  readonly code: string;
  readonly message: string;
  /** HTTP status; default 400. */
  readonly status?: number;
  readonly bucket?: string;
}

/** An S3 REST error body. */
export function s3Error(options: S3ErrorOptions): WireResponse {
  const id = requestId().slice(-16).toUpperCase();
  const bucket = options.bucket === undefined ? '' : `<BucketName>${xmlEscape(options.bucket)}</BucketName>`;
  const hostId = Buffer.from(`host-${id}`).toString('base64');
  return {
    status: options.status ?? 400,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': id, 'x-amz-id-2': hostId },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${xmlEscape(options.code)}</Code><Message>${xmlEscape(options.message)}</Message>` +
      `${bucket}<RequestId>${id}</RequestId><HostId>${hostId}</HostId></Error>`,
  };
}

/** S3's throttling answer. */
export function s3SlowDown(): WireResponse {
  return s3Error({ code: 'SlowDown', message: 'Please reduce your request rate.', status: 503 });
}

/** An S3 XML success body with the S3 namespace on its root element. */
export function s3Xml(root: string, inner: string): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId().slice(-16).toUpperCase() },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${inner}</${root}>`,
  };
}

/** A success with no body (S3 PutBucketPolicy 204, DeleteBucketPolicy 204, HeadBucket 200, ...). */
export function noContent(status = 204, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'x-amz-request-id': requestId().slice(-16).toUpperCase(), ...headers },
    body: '',
  };
}

/** A JSON-protocol (awsJson1.x) success body. */
export function jsonOk(value: unknown): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() },
    body: JSON.stringify(value),
  };
}

/** A JSON-protocol error (`{"__type": code, "message": ...}`). */
export function jsonError(options: { code: string; message: string; status?: number }): WireResponse {
  return {
    status: options.status ?? 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() },
    body: JSON.stringify({ __type: options.code, message: options.message }),
  };
}

/** Decodes an `application/x-www-form-urlencoded` body into flat params (`Tags.member.1.Key` stays a key). */
export function parseForm(body: string): WireParams {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  return params;
}

/**
 * Collects a Query list (`Prefix.member.N` or `Prefix.member.N.Field`) from flat form params: a list of strings
 * for scalar members, of records for structures (`Tags.member.1.Key` → `[{ Key: ... }]`).
 */
export function formList(params: WireParams, prefix: string): Array<string | Record<string, string>> {
  const items = new Map<number, string | Record<string, string>>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)(?:\\.(.+))?$`);
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    if (match[2] === undefined) {
      items.set(index, value);
    } else {
      const item = items.get(index);
      const record = typeof item === 'object' ? item : {};
      record[match[2]] = value;
      items.set(index, record);
    }
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** S3 subresources that name an operation, in the order they are checked. */
const S3_SUBRESOURCES: ReadonlyArray<[string, string]> = [
  ['policyStatus', 'BucketPolicyStatus'],
  ['policy', 'BucketPolicy'],
  ['tagging', 'BucketTagging'],
  ['acl', 'BucketAcl'],
  ['versioning', 'BucketVersioning'],
  ['location', 'BucketLocation'],
  ['publicAccessBlock', 'PublicAccessBlock'],
  ['ownershipControls', 'BucketOwnershipControls'],
  ['encryption', 'BucketEncryption'],
  ['logging', 'BucketLogging'],
  ['lifecycle', 'BucketLifecycleConfiguration'],
  ['notification', 'BucketNotificationConfiguration'],
  ['cors', 'BucketCors'],
  ['website', 'BucketWebsite'],
  ['replication', 'BucketReplication'],
  ['object-lock', 'ObjectLockConfiguration'],
];

const VERBS: Readonly<Record<string, string>> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete' };

/** The S3 operation of a path-style request. */
export function s3Operation(
  method: string,
  bucket: string,
  key: string,
  query: Record<string, string>,
): string {
  if (!bucket) return method === 'GET' ? 'ListBuckets' : `${method} /`;
  if (key) {
    if ('tagging' in query) return `${VERBS[method] ?? method}ObjectTagging`;
    if ('acl' in query) return `${VERBS[method] ?? method}ObjectAcl`;
    if ('uploads' in query) return 'CreateMultipartUpload';
    const object: Record<string, string> = {
      GET: 'GetObject',
      PUT: 'PutObject',
      HEAD: 'HeadObject',
      DELETE: 'DeleteObject',
    };
    return object[method] ?? `${method}Object`;
  }
  if (method === 'POST' && 'delete' in query) return 'DeleteObjects';
  if ('versions' in query) return 'ListObjectVersions';
  if ('uploads' in query) return 'ListMultipartUploads';
  for (const [sub, name] of S3_SUBRESOURCES) {
    if (sub in query) {
      // S3 names the policy-status read GetBucketPolicyStatus; the lifecycle/notification writes have
      // Configuration in both spellings, so one table suffices.
      return `${VERBS[method] ?? method}${name}`;
    }
  }
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'GET') return query['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects';
  return `${method}Bucket`;
}

function signingService(headers: IncomingMessage['headers']): string | undefined {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth) : null;
  return match?.[1];
}

function signingRegion(headers: IncomingMessage['headers']): string {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth) : null;
  return match?.[1] ?? '';
}

/**
 * REST-JSON operations by signing service, method and path (from each API reference's
 * "Request Syntax"); path parameters become params.
 */
export const REST_JSON_OPERATIONS: Readonly<Record<string, ReadonlyArray<[string, RegExp, string]>>> = {
  guardduty: [
    ['GET', /^\/detector$/, 'ListDetectors'],
    ['POST', /^\/detector\/(?<DetectorId>[^/]+)\/findings$/, 'ListFindings'],
    ['POST', /^\/detector\/(?<DetectorId>[^/]+)\/findings\/get$/, 'GetFindings'],
    ['GET', /^\/detector\/(?<DetectorId>[^/]+)$/, 'GetDetector'],
  ],
};

/** A REST-JSON success body. */
export function restJsonOk(value: unknown): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId() },
    body: JSON.stringify(value),
  };
}

/** A REST-JSON error: `__type` in the body and the `x-amzn-errortype` header, as AWS sends them. */
export function restJsonError(options: { code: string; message: string; status?: number }): WireResponse {
  return {
    status: options.status ?? 400,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId(),
      'x-amzn-errortype': `${options.code}:`,
    },
    body: JSON.stringify({ __type: options.code, message: options.message }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface Parsed {
  service: string;
  operation: string;
  params: WireParams;
  json?: unknown;
}

function parseRequest(
  request: IncomingMessage,
  url: URL,
  query: Record<string, string>,
  body: string,
): Parsed {
  const method = request.method ?? 'GET';
  const contentType = String(request.headers['content-type'] ?? '');
  const target = request.headers['x-amz-target'];
  const signed = signingService(request.headers);

  if (typeof target === 'string') {
    const json: unknown = body ? JSON.parse(body) : {};
    const params: Record<string, string> = {};
    if (json && typeof json === 'object') {
      for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
        if (typeof value !== 'object') params[key] = String(value);
      }
    }
    return {
      service: signed ?? target.split('.')[0].toLowerCase(),
      operation: target.split('.').pop() ?? target,
      params,
      json,
    };
  }
  const restJson = signed ? REST_JSON_OPERATIONS[signed] : undefined;
  if (restJson) {
    const json: unknown = body ? JSON.parse(body) : undefined;
    for (const [verb, pattern, operation] of restJson) {
      const match = verb === method ? pattern.exec(url.pathname) : null;
      if (!match) continue;
      const params: Record<string, string> = { ...query };
      for (const [key, value] of Object.entries(match.groups ?? {})) params[key] = decodeURIComponent(value);
      return { service: signed as string, operation, params, ...(json === undefined ? {} : { json }) };
    }
    return { service: signed as string, operation: `${method} ${url.pathname}`, params: { ...query } };
  }
  if (method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = parseForm(body);
    return {
      service: signed ?? QUERY_VERSIONS[params.Version ?? ''] ?? 'unknown',
      operation: params.Action ?? '(no Action)',
      params,
    };
  }
  // S3, path-style: /bucket/key...
  const [bucket = '', ...rest] = url.pathname.replace(/^\//, '').split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const params: Record<string, string> = { ...query };
  if (bucket) params.Bucket = decodeURIComponent(bucket);
  if (key) params.Key = key;
  return { service: signed ?? 's3', operation: s3Operation(method, bucket, key, query), params };
}

/** Starts the server on 127.0.0.1 and a random port. */
export async function startAwsWire(): Promise<AwsWire> {
  const routes = new Map<string, WireHandler>();
  const queued = new Map<string, WireHandler[]>();
  const calls: WireCall[] = [];
  const routeKey = (service: string, operation: string): string => `${service} ${operation}`;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const rawBody = await readBody(request);
    const body = rawBody.toString('utf8');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    let parsed: Parsed;
    try {
      parsed = parseRequest(request, url, query, body);
    } catch (error) {
      parsed = {
        service: 'unknown',
        operation: `unparsable request: ${(error as Error).message}`,
        params: {},
      };
    }
    const key = routeKey(parsed.service, parsed.operation);
    const handler = queued.get(key)?.shift() ?? routes.get(key);
    const call: WireCall = {
      service: parsed.service,
      region: signingRegion(request.headers),
      operation: parsed.operation,
      method: request.method ?? 'GET',
      path: url.pathname,
      query,
      headers: request.headers,
      body,
      rawBody,
      params: parsed.params,
      ...(parsed.json === undefined ? {} : { json: parsed.json }),
      routed: handler !== undefined,
    };
    calls.push(call);

    let answer: WireResponse;
    if (!handler) {
      const message = `aws-wire: no route for ${parsed.service} ${parsed.operation} (${call.method} ${request.url})`;
      answer =
        parsed.service === 's3'
          ? s3Error({ code: 'AwsWireNoRoute', message, status: 500 })
          : parsed.json !== undefined
            ? jsonError({ code: 'AwsWireNoRoute', message, status: 500 })
            : awsQueryError({ code: 'AwsWireNoRoute', message, status: 500, type: 'Receiver' });
    } else {
      try {
        answer = await handler(parsed.params, call);
      } catch (error) {
        const message = `aws-wire: the ${key} handler threw: ${(error as Error).stack ?? String(error)}`;
        answer = { status: 500, headers: { 'content-type': 'text/plain' }, body: message };
      }
    }
    response.writeHead(answer.status ?? 200, { ...answer.headers });
    response.end(request.method === 'HEAD' ? undefined : (answer.body ?? ''));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`aws-wire: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;

  const wire: AwsWire = {
    endpoint,
    calls,
    on(service, operation, handler) {
      routes.set(routeKey(service, operation), handler);
      return wire;
    },
    once(service, operation, handler) {
      const key = routeKey(service, operation);
      queued.set(key, [...(queued.get(key) ?? []), handler]);
      return wire;
    },
    clientConfig(service, options = {}) {
      const maxAttempts = options.maxAttempts ?? 3;
      return {
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wire-test-secret' },
        // The SDK's own retry decisions (which errors are throttling/transient), without its backoff.
        retryStrategy: new ConfiguredRetryStrategy(maxAttempts, 0),
        maxAttempts,
        ...(service === 's3' ? { forcePathStyle: true } : {}),
      };
    },
    callsTo(service, operation) {
      return calls.filter(
        (c) => c.service === service && (operation === undefined || c.operation === operation),
      );
    },
    reset() {
      routes.clear();
      queued.clear();
      calls.length = 0;
    },
    async close(options = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      const unrouted = calls.filter((c) => !c.routed);
      if (unrouted.length > 0 && !options.allowUnrouted) {
        const list = [...new Set(unrouted.map((c) => `${c.service} ${c.operation}`))].join(', ');
        throw new Error(`aws-wire: requests without a route (add wire.on(...) for them): ${list}`);
      }
    },
  };
  return wire;
}

/** The key STS hands out for a role assumed in an account: ASIA + the account id. */
export function sessionKey(account: string): string {
  return `ASIA${account}EXAMPLE`.slice(0, 20);
}

/**
 * STS AssumeRole as AWS answers it (STS API Reference): the assumed role's session and
 * credentials (keyed by sessionKey), or, for a role in one of `denied` accounts, the
 * AccessDenied a role that does not trust the caller returns.
 */
export function assumeRoleAnswer(callerArn: string, denied: ReadonlySet<string> = new Set()): WireHandler {
  return (p) => {
    const account = p.RoleArn.split(':')[4];
    if (denied.has(account)) {
      return awsQueryError({
        service: 'sts',
        code: 'AccessDenied',
        status: 403,
        message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`,
      });
    }
    const roleName = p.RoleArn.split('/').pop() ?? '';
    return stsXml(
      'AssumeRole',
      `<AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(p.RoleSessionName)}</Arn>` +
        `<AssumedRoleId>AROA3XFRBF535PLBIFPI4:${xmlEscape(p.RoleSessionName)}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${sessionKey(account)}</AccessKeyId>` +
        '<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>' +
        '<SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>' +
        '<Expiration>2021-07-24T04:00:00Z</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize>',
    );
  };
}
