#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2016 # jq programs name their $variables in single quotes
# Replays the playbook's actor in a sandbox account with the AWS CLI: the exposed key of the
# simulation user creates a run-unique user with AdministratorAccess and an access key, and
# that new user probes the account, creates a bucket and uploads what it found as `stuff`.
# Every resource is written to a run manifest before and after it is created, so
# undo_credential_exposure_activity.sh can remove it even when a run dies halfway.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$SCRIPT_DIR/lib/common.sh"
IRKIT_LOG_TAG='irkit-simulate'

usage() {
  cat <<'EOF'
Usage: simulate_credential_exposure_activity.sh --region REGION [options]

Replays the IAM credential exposure playbook's actor in a sandbox account, using the access
key of the simulation stack's user (the "exposed" credential).

Where the exposed key comes from (one of):
  (default)                  the secret named by the output SimulationSecretArn of the stack
                             IrKitSimulation, read with your own credentials
  --profile NAME             a named AWS CLI profile that holds the simulation user's key

Options:
  --region REGION            region of the run (default: $AWS_REGION or $AWS_DEFAULT_REGION)
  --attendee-profile NAME    your own credentials for reading the stack and its secret
                             (default: the AWS CLI's default credential chain)
  --stack-name NAME          simulation stack (default: IrKitSimulation)
  --stack-region REGION      region of the simulation stack (default: --region)
  --sandbox-account ID       the account the run may touch; must match the stack's
                             SandboxAccount output when both are known
  --run-id ID                run id, lower-case letters, digits and dashes (default: UTC time
                             plus random hex); names the user JaneDoe-ID and the bucket
                             irkit-sim-ID-ACCOUNT
  --manifest PATH            run manifest to write (default: ./irkit-simulation-ID.json);
                             an existing file is never overwritten
  --dry-run                  print every AWS call the run would make and make none of them
                             (only the read-only lookup of the stack's outputs is made)
  -h, --help                 this help

Environment:
  IRKIT_SIM_KEY_WAIT_ATTEMPTS  how often to try the new key before giving up (default 10)
  IRKIT_SIM_BACKOFF_SECONDS    first wait between tries, doubled each time, capped at 16 (default 2)

Exit codes: 0 the run completed; 1 the run failed (the manifest says what exists: undo it);
2 bad usage or refused (wrong account, missing stack or secret): nothing was changed.
EOF
}

usage_error() {
  error "$1"
  printf 'Run with --help for usage.\n' >&2
  exit 2
}

# ---------------------------------------------------------------- options
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
SIM_PROFILE=''
ATTENDEE_PROFILE=''
STACK_NAME='IrKitSimulation'
STACK_REGION=''
SANDBOX_ACCOUNT=''
RUN_ID=''
MANIFEST=''
DRY_RUN=false

need_value() { [[ $# -ge 2 && -n $2 && $2 != --* ]] || usage_error "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --region) need_value "$@"; REGION=$2; shift 2 ;;
    --profile) need_value "$@"; SIM_PROFILE=$2; shift 2 ;;
    --attendee-profile) need_value "$@"; ATTENDEE_PROFILE=$2; shift 2 ;;
    --stack-name) need_value "$@"; STACK_NAME=$2; shift 2 ;;
    --stack-region) need_value "$@"; STACK_REGION=$2; shift 2 ;;
    --sandbox-account) need_value "$@"; SANDBOX_ACCOUNT=$2; shift 2 ;;
    --run-id) need_value "$@"; RUN_ID=$2; shift 2 ;;
    --manifest) need_value "$@"; MANIFEST=$2; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

[[ -n $REGION ]] || usage_error 'no region: pass --region (or set AWS_REGION)'
is_region "$REGION" || usage_error "invalid --region: '$REGION' (expected e.g. us-east-1)"
STACK_REGION=${STACK_REGION:-$REGION}
is_region "$STACK_REGION" || usage_error "invalid --stack-region: '$STACK_REGION'"
[[ -z $SIM_PROFILE ]] || is_profile_name "$SIM_PROFILE" || usage_error "invalid --profile: '$SIM_PROFILE'"
[[ -z $ATTENDEE_PROFILE ]] || is_profile_name "$ATTENDEE_PROFILE" ||
  usage_error "invalid --attendee-profile: '$ATTENDEE_PROFILE'"
[[ $STACK_NAME =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] || usage_error "invalid --stack-name: '$STACK_NAME'"
[[ -z $SANDBOX_ACCOUNT ]] || is_account_id "$SANDBOX_ACCOUNT" ||
  usage_error "invalid --sandbox-account: '$SANDBOX_ACCOUNT' (expected 12 digits)"
if [[ -z $RUN_ID ]]; then
  RUN_ID="$(date -u +%Y%m%dt%H%M%S)-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
fi
is_run_id "$RUN_ID" || usage_error "invalid --run-id: '$RUN_ID' (3-31 of a-z, 0-9 and -, starting alphanumeric)"
KEY_WAIT_ATTEMPTS=${IRKIT_SIM_KEY_WAIT_ATTEMPTS:-10}
BACKOFF_SECONDS=${IRKIT_SIM_BACKOFF_SECONDS:-2}
[[ $KEY_WAIT_ATTEMPTS =~ ^[1-9][0-9]?$ ]] || usage_error 'IRKIT_SIM_KEY_WAIT_ATTEMPTS must be 1-99'
[[ $BACKOFF_SECONDS =~ ^[0-9]+$ && $BACKOFF_SECONDS -le 16 ]] || usage_error 'IRKIT_SIM_BACKOFF_SECONDS must be 0-16'

require_tools aws jq
export AWS_PAGER='' AWS_CLI_AUTO_PROMPT=off

IRKIT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/irkit-simulate.XXXXXX")
MANIFEST_READY=false
RUN_STATUS=init
CURRENT_STEP=''
SIM_KEY_ID=''
SIM_SECRET=''
ACTOR_KEY_ID=''
ACTOR_SECRET=''

# ---------------------------------------------------------------- calling AWS as someone
# The simulation user's and the new user's keys live only in the environment of the subshell
# that runs one CLI call: nothing is written to ~/.aws, and nothing of the caller's own
# session (profile, session token) leaks into those calls.
aws_with_key() {
  (
    unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION
    export AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2
    shift 2
    exec aws "$@"
  )
}

aws_with_profile() {
  (
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
    local profile=$1
    shift
    exec aws --profile "$profile" "$@"
  )
}

# call_as WHO ARGS...: WHO is attendee (your own credentials), sim (the exposed key) or actor
# (the key the actor created).
call_as() {
  local who=$1
  shift
  case $who in
    attendee)
      if [[ -n $ATTENDEE_PROFILE ]]; then
        run_aws aws --profile "$ATTENDEE_PROFILE" "$@" --region "$STACK_REGION" --output json
      else
        run_aws aws "$@" --region "$STACK_REGION" --output json
      fi
      ;;
    sim)
      if [[ -n $SIM_PROFILE ]]; then
        run_aws aws_with_profile "$SIM_PROFILE" "$@" --region "$REGION" --output json
      else
        run_aws aws_with_key "$SIM_KEY_ID" "$SIM_SECRET" "$@" --region "$REGION" --output json
      fi
      ;;
    actor) run_aws aws_with_key "$ACTOR_KEY_ID" "$ACTOR_SECRET" "$@" --region "$REGION" --output json ;;
  esac
}

# jq over the last call's output (stdin, so secrets never reach a command line).
out_jq() { printf '%s' "$AWS_OUT" | jq -r "$@"; }

# ---------------------------------------------------------------- the stack's outputs
STACK_SECRET_ARN=''
STACK_SANDBOX_ACCOUNT=''
EXPOSED_USER_NAME=''

read_stack_outputs() {
  log "reading the outputs of stack $STACK_NAME in $STACK_REGION with your own credentials"
  call_as attendee cloudformation describe-stacks --stack-name "$STACK_NAME"
  if [[ $AWS_RC -ne 0 ]]; then
    error "cannot read stack $STACK_NAME in $STACK_REGION: $(aws_error_line)"
    printf '  -> deploy the simulation stack (simulation/README.md), pass --stack-region, or pass\n' >&2
    printf '     --profile and --sandbox-account to run without it. Nothing was changed.\n' >&2
    exit 2
  fi
  local outputs
  outputs=$(out_jq '.Stacks[0].Outputs // [] | map("\(.OutputKey)=\(.OutputValue)") | .[]')
  local line
  while IFS= read -r line; do
    case $line in
      SimulationSecretArn=*) STACK_SECRET_ARN=${line#*=} ;;
      SandboxAccount=*) STACK_SANDBOX_ACCOUNT=${line#*=} ;;
      SimulationUserName=*) EXPOSED_USER_NAME=${line#*=} ;;
    esac
  done <<<"$outputs"
}

if [[ -z $SIM_PROFILE || -z $SANDBOX_ACCOUNT ]]; then
  read_stack_outputs
  if [[ -n $STACK_SANDBOX_ACCOUNT ]]; then
    is_account_id "$STACK_SANDBOX_ACCOUNT" ||
      { error "stack $STACK_NAME has an invalid SandboxAccount output: '$STACK_SANDBOX_ACCOUNT'"; exit 2; }
    if [[ -n $SANDBOX_ACCOUNT && $SANDBOX_ACCOUNT != "$STACK_SANDBOX_ACCOUNT" ]]; then
      error "--sandbox-account $SANDBOX_ACCOUNT differs from the stack's SandboxAccount $STACK_SANDBOX_ACCOUNT"
      printf '  -> the simulation stack was deployed for %s; nothing was changed.\n' "$STACK_SANDBOX_ACCOUNT" >&2
      exit 2
    fi
    SANDBOX_ACCOUNT=$STACK_SANDBOX_ACCOUNT
  fi
  if [[ -z $SANDBOX_ACCOUNT ]]; then
    error "stack $STACK_NAME has no SandboxAccount output and no --sandbox-account was given"
    exit 2
  fi
  if [[ -z $SIM_PROFILE && -z $STACK_SECRET_ARN ]]; then
    error "stack $STACK_NAME has no SimulationSecretArn output: is it the simulation stack?"
    exit 2
  fi
fi

# ---------------------------------------------------------------- names
PARTITION=$(partition_of_region "$REGION")
ADMIN_POLICY_ARN="arn:$PARTITION:iam::aws:policy/AdministratorAccess"
NEW_USER="JaneDoe-$RUN_ID"
BUCKET="irkit-sim-$RUN_ID-$SANDBOX_ACCOUNT"
MANIFEST=${MANIFEST:-"$PWD/irkit-simulation-$RUN_ID.json"}
RECON_FILE="$IRKIT_TMP/stuff"
# The object carries the run tag in the PutObject request itself: tagging the bucket would take
# an extra call the playbook's actor never made (its trail must match the playbook's tables).
OBJECT_TAGGING="irkit%3Asimulation-run=$RUN_ID"
if [[ $REGION == us-east-1 ]]; then
  LOCATION_ARGS=()
else
  LOCATION_ARGS=(--create-bucket-configuration "LocationConstraint=$REGION")
fi

# ---------------------------------------------------------------- the manifest
# Rewritten whole after every step through a temporary file and a rename, so a reader (or
# the undo after a crash) never sees half a manifest. One jq run per update: jq's start-up
# is most of this script's own cost.
#
# A resource's state is intended (written before the call that creates it: it may exist),
# created, or not-created (AWS refused it). The undo checks everything but not-created.
MANIFEST_JQ_DEFS='
  def upsert($r; match):
    if any(.resources[]; match) then .resources |= map(if match then . + $r else . end)
    else .resources += [$r] end;
  def step($outcome):
    .steps += [{n: $n, step: $s, identity: $who, call: $call, outcome: $outcome, at: $now}];
  def fail_as($status; $error): .status = $status | .failedStep = $s | .error = $error;
'

# manifest_apply FILTER [JQ ARGS...]: the filter sees $now, the current step ($n, $s, $who,
# $call), the run's names ($user, $bucket, $region, $policy) and whatever else is passed.
manifest_apply() {
  local filter=$1
  shift
  jq --arg now "$(now_iso)" --argjson n "$STEP_NO" --arg s "${CURRENT_STEP:-setup}" --arg who "$STEP_WHO" \
    --arg call "$STEP_CALL" --arg user "$NEW_USER" --arg bucket "$BUCKET" --arg region "$REGION" \
    --arg policy "$ADMIN_POLICY_ARN" "$@" "$MANIFEST_JQ_DEFS $filter | .updatedAt = \$now" "$MANIFEST" \
    >"$MANIFEST.tmp.$$"
  mv -f "$MANIFEST.tmp.$$" "$MANIFEST"
}

manifest_init() {
  local dir
  dir=$(dirname "$MANIFEST")
  [[ -d $dir && -w $dir ]] || { error "cannot write the manifest in $dir"; exit 2; }
  jq -n --arg runId "$RUN_ID" --arg now "$(now_iso)" --arg account "$SANDBOX_ACCOUNT" \
    --arg region "$REGION" --arg partition "$PARTITION" --arg tagKey "$IRKIT_RUN_TAG_KEY" \
    --arg stackName "$STACK_NAME" --arg stackRegion "$STACK_REGION" --arg user "$NEW_USER" \
    --arg bucket "$BUCKET" --argjson format "$IRKIT_MANIFEST_FORMAT" '{
      formatVersion: $format, kind: "irkit-simulation-run", runId: $runId, status: "running",
      startedAt: $now, updatedAt: $now, account: $account, region: $region, partition: $partition,
      tag: {key: $tagKey, value: $runId}, stack: {name: $stackName, region: $stackRegion},
      exposedUser: null, newUserName: $user, bucketName: $bucket,
      resources: [], steps: [], failedStep: null, error: null
    }' >"$MANIFEST.tmp.$$"
  mv -f "$MANIFEST.tmp.$$" "$MANIFEST"
  MANIFEST_READY=true
}

# jq matchers of the run's resources, for upsert.
IS_USER='(.type == "iam-user" and .name == $user)'
IS_ATTACHMENT='(.type == "iam-user-policy-attachment" and .user == $user and .policyArn == $policy)'
IS_BUCKET='(.type == "s3-bucket" and .name == $bucket)'
IS_OBJECT='(.type == "s3-object" and .bucket == $bucket and .key == "stuff")'

undo_hint() {
  printf '  -> remove what this run created with:\n     %s %s\n' \
    "$SCRIPT_DIR/undo_credential_exposure_activity.sh" "$(quote_cmd "$MANIFEST")" >&2
}

# fail_run MESSAGE [JQ FILTER [ARGS...]]: a step failed: say why, mark the manifest (with the
# extra filter, e.g. a resource AWS refused), point at the undo.
fail_run() {
  local message=$1 extra=${2:-.}
  shift
  [[ $# -eq 0 ]] || shift
  error "step $STEP_NO ($CURRENT_STEP) failed: $message"
  RUN_STATUS=failed
  manifest_apply "$extra | step(\"failed\") | fail_as(\"failed\"; \$e)" --arg e "$message" "$@" || true
  undo_hint
  exit 1
}

refuse_run() {
  error "$1"
  printf '  -> nothing was changed. Run against the sandbox account the simulation stack was deployed for.\n' >&2
  RUN_STATUS=refused
  manifest_apply 'step("refused") | fail_as("refused"; $e)' --arg e "$1" || true
  exit 2
}

on_exit() {
  local rc=$?
  if [[ $MANIFEST_READY == true && $RUN_STATUS == running ]]; then
    error "the run stopped unexpectedly (exit code $rc) during step ${CURRENT_STEP:-setup}"
    manifest_apply 'fail_as("failed"; $e)' --arg e "stopped unexpectedly (exit code $rc)" || true
    undo_hint
  fi
  rm -rf "$IRKIT_TMP"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the steps
# The playbook's actor, call for call, in the order of the synthetic incident (SCENARIO in
# simulation/synthetic, whose order follows the times the playbook's tables print), so the trail
# of a run reads like the offline demo's. The same list drives --dry-run, the step count and
# the real run, so what is printed is what runs.
attack_plan() {
  step guard sim sts get-caller-identity
  step create-user sim iam create-user --user-name "$NEW_USER" --tags "Key=$IRKIT_RUN_TAG_KEY,Value=$RUN_ID"
  step attach-admin sim iam attach-user-policy --user-name "$NEW_USER" --policy-arn "$ADMIN_POLICY_ARN"
  step create-key sim iam create-access-key --user-name "$NEW_USER"
  step wait-for-key actor sts get-caller-identity
  step recon actor sts get-caller-identity
  step recon actor iam list-roles
  step recon actor lambda list-functions
  step recon actor kms list-keys
  step recon actor kms list-aliases
  step recon actor logs describe-destinations
  step recon actor s3api list-buckets
  step recon actor ec2 describe-instances
  step recon actor secretsmanager list-secrets
  step create-bucket actor s3api create-bucket --bucket "$BUCKET" ${LOCATION_ARGS[@]+"${LOCATION_ARGS[@]}"}
  step put-object actor s3api put-object --bucket "$BUCKET" --key stuff --body "$RECON_FILE" \
    --tagging "$OBJECT_TAGGING"
}

identity_label() {
  case $1 in
    sim) printf 'exposed key of %s' "${EXPOSED_USER_NAME:-the simulation user}" ;;
    actor) printf 'new key of %s' "$NEW_USER" ;;
  esac
}

PLAN_MODE=count
STEP_NO=0
STEP_WHO=''
STEP_CALL=''

step() {
  local id=$1 who=$2
  shift 2
  STEP_NO=$((STEP_NO + 1))
  case $PLAN_MODE in
    count) return 0 ;;
    print)
      printf '%2d. [%s] aws %s\n' "$STEP_NO" "$(identity_label "$who")" \
        "$(quote_cmd "$@" --region "$REGION" --output json)"
      [[ $id != wait-for-key ]] ||
        printf '    (repeated with backoff, up to %s tries, until IAM accepts the new key)\n' "$KEY_WAIT_ATTEMPTS"
      return 0
      ;;
  esac
  CURRENT_STEP=$id
  STEP_WHO=$who
  STEP_CALL="$1 $2"
  log "step $STEP_NO/$STEP_TOTAL ($id) as $(identity_label "$who"): aws $(quote_cmd "$@")"
  "run_${id//-/_}" "$who" "$@"
}

run_guard() {
  call_as "$@"
  if [[ $AWS_RC -ne 0 ]]; then
    RUN_STATUS=refused
    error "the exposed key was refused by AWS: $(aws_error_line)"
    printf '  -> is the simulation user'"'"'s key still active? If an earlier run contained it, release it\n' >&2
    printf '     (irkit release) first. Nothing was changed.\n' >&2
    manifest_apply 'step("refused") | fail_as("refused"; $e)' --arg e "$(aws_error_line)" || true
    exit 2
  fi
  local account arn
  IFS=$'\t' read -r account arn < <(out_jq '[.Account // "", .Arn // ""] | @tsv') || true
  if [[ $account != "$SANDBOX_ACCOUNT" ]]; then
    refuse_run "refusing: the exposed key belongs to account ${account:-unknown}, not the sandbox account $SANDBOX_ACCOUNT"
  fi
  [[ $arn == "arn:$PARTITION:iam::$account:user/"* ]] ||
    refuse_run "refusing: the exposed credential must be an IAM user's access key, but it is $arn"
  local name=${arn##*/}
  if [[ -n $EXPOSED_USER_NAME && $name != "$EXPOSED_USER_NAME" ]]; then
    refuse_run "refusing: the key belongs to $name, not to the simulation user $EXPOSED_USER_NAME"
  fi
  EXPOSED_USER_NAME=$name
  manifest_apply '.exposedUser = {name: $name, arn: $arn, accessKeyId: (if $k == "" then null else $k end)}
    | step("ok")' --arg name "$name" --arg arn "$arn" --arg k "$SIM_KEY_ID"
}

run_create_user() {
  manifest_apply "upsert({type: \"iam-user\", name: \$user, tags: {\"$IRKIT_RUN_TAG_KEY\": \$run}, state: \"intended\"};
    $IS_USER)" --arg run "$RUN_ID"
  call_as "$@"
  if [[ $AWS_RC -ne 0 ]]; then
    if [[ $AWS_ERROR_CODE == EntityAlreadyExists ]]; then
      fail_run "$(aws_error_line)" "upsert({state: \"not-created\"}; $IS_USER)"
    fi
    fail_run "$(aws_error_line)"
  fi
  manifest_apply "upsert({state: \"created\", arn: \$out.User.Arn, userId: \$out.User.UserId}; $IS_USER)
    | step(\"ok\")" --argjson out "$AWS_OUT"
}

run_attach_admin() {
  manifest_apply "upsert({type: \"iam-user-policy-attachment\", user: \$user, policyArn: \$policy,
    state: \"intended\"}; $IS_ATTACHMENT)"
  call_as "$@"
  [[ $AWS_RC -eq 0 ]] || fail_run "$(aws_error_line)"
  manifest_apply "upsert({state: \"created\"}; $IS_ATTACHMENT) | step(\"ok\")"
}

run_create_key() {
  # The key's id is unknown until it exists; the undo deletes every key of the run's user.
  call_as "$@"
  [[ $AWS_RC -eq 0 ]] || fail_run "$(aws_error_line)"
  IFS=$'\t' read -r ACTOR_KEY_ID ACTOR_SECRET \
    < <(out_jq '[.AccessKey.AccessKeyId // "", .AccessKey.SecretAccessKey // ""] | @tsv') || true
  : >"$IRKIT_TMP/aws.out"
  AWS_OUT=''
  [[ $ACTOR_KEY_ID =~ ^AKIA[A-Z0-9]{16}$ && -n $ACTOR_SECRET ]] ||
    fail_run 'create-access-key returned no usable access key'
  manifest_apply '.resources += [{type: "iam-access-key", user: $user, accessKeyId: $k, state: "created"}]
    | step("ok")' --arg k "$ACTOR_KEY_ID"
}

# IAM is eventually consistent: a new key is refused for a few seconds. Retry with a bounded,
# doubling wait; the call that finally succeeds is the actor's first GetCallerIdentity.
run_wait_for_key() {
  local attempt=1 delay=$BACKOFF_SECONDS
  while :; do
    call_as "$@"
    [[ $AWS_RC -ne 0 ]] || break
    case $AWS_ERROR_CODE in
      InvalidClientTokenId | SignatureDoesNotMatch | UnrecognizedClientException | AuthFailure | AccessDenied) ;;
      *) fail_run "$(aws_error_line)" ;;
    esac
    [[ $attempt -lt $KEY_WAIT_ATTEMPTS ]] ||
      fail_run "IAM did not accept the new key after $attempt tries: $(aws_error_line)"
    log "  the new key is not accepted yet ($AWS_ERROR_CODE); trying again in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
    [[ $delay -le 16 ]] || delay=16
  done
  local arn
  arn=$(out_jq '.Arn // empty')
  [[ $arn == *":user/$NEW_USER" ]] || fail_run "the new key answers as $arn, not as $NEW_USER"
  manifest_apply 'step("ok")'
}

# Probing calls: an error (an SCP, a disabled region) is what a real actor would meet too, so
# it goes into the recon output and the run goes on.
run_recon() {
  call_as "$@"
  shift
  {
    printf '### aws %s\n' "$*"
    if [[ $AWS_RC -eq 0 ]]; then printf '%s\n' "$AWS_OUT"; else printf 'ERROR: %s\n' "$(aws_error_line)"; fi
  } >>"$RECON_FILE"
  if [[ $AWS_RC -ne 0 ]]; then
    warn "  probe failed, kept going: $(aws_error_line)"
    manifest_apply 'step("failed")'
  else
    manifest_apply 'step("ok")'
  fi
}

run_create_bucket() {
  manifest_apply "upsert({type: \"s3-bucket\", name: \$bucket, region: \$region, state: \"intended\"}; $IS_BUCKET)"
  call_as "$@"
  if [[ $AWS_RC -ne 0 ]]; then
    case $AWS_ERROR_CODE in
      BucketAlreadyExists | BucketAlreadyOwnedByYou)
        fail_run "$(aws_error_line)" "upsert({state: \"not-created\"}; $IS_BUCKET)"
        ;;
    esac
    fail_run "$(aws_error_line)"
  fi
  manifest_apply "upsert({state: \"created\"}; $IS_BUCKET) | step(\"ok\")"
}

run_put_object() {
  manifest_apply "upsert({type: \"s3-object\", bucket: \$bucket, key: \"stuff\", state: \"intended\"}; $IS_OBJECT)"
  call_as "$@"
  [[ $AWS_RC -eq 0 ]] || fail_run "$(aws_error_line)"
  manifest_apply "upsert({state: \"created\", versionId: (\$out.VersionId // null), etag: (\$out.ETag // null)};
    $IS_OBJECT) | step(\"ok\")" --argjson out "${AWS_OUT:-"{}"}"
}

# ---------------------------------------------------------------- run
attack_plan
STEP_TOTAL=$STEP_NO
STEP_NO=0

if [[ $DRY_RUN == true ]]; then
  log "dry run: no call below is made. Run $RUN_ID in account $SANDBOX_ACCOUNT, region $REGION."
  log "the manifest would be written to $MANIFEST"
  if [[ -z $SIM_PROFILE ]]; then
    printf ' 0. [your credentials] aws %s\n' \
      "$(quote_cmd secretsmanager get-secret-value --secret-id "$STACK_SECRET_ARN" --region "$STACK_REGION" --output json)"
  fi
  PLAN_MODE=print
  attack_plan
  exit 0
fi

[[ ! -e $MANIFEST ]] || usage_error "the manifest $MANIFEST already exists: pick another --run-id or --manifest"

if [[ -z $SIM_PROFILE ]]; then
  log "reading the exposed key from the secret $STACK_SECRET_ARN"
  call_as attendee secretsmanager get-secret-value --secret-id "$STACK_SECRET_ARN"
  if [[ $AWS_RC -ne 0 ]]; then
    error "cannot read the simulation secret: $(aws_error_line)"
    printf '  -> your own credentials need secretsmanager:GetSecretValue on it. Nothing was changed.\n' >&2
    exit 2
  fi
  # The secret holds {"accessKeyId": ..., "secretAccessKey": ...}.
  IFS=$'\t' read -r SIM_KEY_ID SIM_SECRET < <(out_jq '.SecretString | fromjson? // {}
    | [.accessKeyId // .AccessKeyId // "", .secretAccessKey // .SecretAccessKey // ""] | @tsv') || true
  : >"$IRKIT_TMP/aws.out"
  AWS_OUT=''
  if [[ ! $SIM_KEY_ID =~ ^AKIA[A-Z0-9]{16}$ || -z $SIM_SECRET ]]; then
    error 'the simulation secret does not hold an IAM user access key as {"accessKeyId","secretAccessKey"}'
    exit 2
  fi
fi

manifest_init
RUN_STATUS=running
log "run $RUN_ID in account $SANDBOX_ACCOUNT, region $REGION"
log "manifest: $MANIFEST"

PLAN_MODE=run
attack_plan

RUN_STATUS=completed
CURRENT_STEP=''
manifest_apply '.status = "completed"'
cat <<EOF
Run $RUN_ID completed in account $SANDBOX_ACCOUNT ($REGION).
  exposed key:   ${SIM_KEY_ID:-of profile $SIM_PROFILE} (user $EXPOSED_USER_NAME)
  created user:  $NEW_USER with AdministratorAccess and access key $ACTOR_KEY_ID
  created:       s3://$BUCKET/stuff (the recon output)
  manifest:      $MANIFEST
Investigate it with the playbook (CloudTrail can take up to 15 minutes to deliver), then clean up:
  $(quote_cmd "$SCRIPT_DIR/undo_credential_exposure_activity.sh" "$MANIFEST")
EOF
