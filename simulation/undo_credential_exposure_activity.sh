#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2016 # jq programs name their $variables in single quotes
# Removes everything a simulation run created, as listed in its manifest, whatever the
# responder did in between (containment policies, inactive keys, login profiles, bucket
# policies, versioning). Run it again and it finds nothing left. It touches nothing that the
# manifest does not name, and nothing outside the manifest's account.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$SCRIPT_DIR/lib/common.sh"
IRKIT_LOG_TAG='irkit-undo'

usage() {
  cat <<'EOF'
Usage: undo_credential_exposure_activity.sh [options] MANIFEST

Removes what the simulation run recorded in MANIFEST created: the run's IAM user (every
managed policy detached, including iam-containment-policy, inline policies, login profile,
access keys, and the rest of what blocks DeleteUser) and the run's bucket (every object
version and delete marker, then the bucket). Run it with your own administrator credentials
in the sandbox account; the simulation user cannot do this.

Options:
  --profile NAME               AWS CLI profile to use (default: the default credential chain)
  --region REGION              region of the containment stacks (default: the run's region)
  --with-containment-stacks    first delete the run's containment stacks (irkit-contain-*
                               stacks whose target is the run's user or bucket), which also
                               lifts a bucket containment policy that would deny you
  --dry-run                    read what is left and print what would be removed; remove nothing
  --json                       print the summary as JSON on stdout
  -h, --help                   this help

Exit codes: 0 nothing of the run is left (or nothing was there); 1 something could not be
removed (the summary lists it, with the reason); 2 bad usage, bad manifest, or wrong account.
EOF
}

usage_error() {
  error "$1"
  printf 'Run with --help for usage.\n' >&2
  exit 2
}

PROFILE=''
STACK_REGION=''
WITH_STACKS=false
DRY_RUN=false
JSON=false
MANIFEST=''

need_value() { [[ $# -ge 2 && -n $2 && $2 != --* ]] || usage_error "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --profile) need_value "$@"; PROFILE=$2; shift 2 ;;
    --region) need_value "$@"; STACK_REGION=$2; shift 2 ;;
    --with-containment-stacks) WITH_STACKS=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    --json) JSON=true; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; [[ $# -eq 1 ]] || usage_error 'exactly one MANIFEST is needed'; MANIFEST=$1; shift ;;
    -*) usage_error "unknown option: $1" ;;
    *) [[ -z $MANIFEST ]] || usage_error "only one MANIFEST, got '$MANIFEST' and '$1'"; MANIFEST=$1; shift ;;
  esac
done

[[ -n $MANIFEST ]] || usage_error 'no MANIFEST given'
[[ -z $PROFILE ]] || is_profile_name "$PROFILE" || usage_error "invalid --profile: '$PROFILE'"
[[ -z $STACK_REGION ]] || is_region "$STACK_REGION" || usage_error "invalid --region: '$STACK_REGION'"
require_tools aws jq
export AWS_PAGER='' AWS_CLI_AUTO_PROMPT=off

# ---------------------------------------------------------------- the manifest
[[ -f $MANIFEST && -r $MANIFEST ]] || usage_error "cannot read the manifest $MANIFEST"
# One jq run reads everything: header fields, then the resources the run may have created
# (`not-created` ones AWS refused, so they are not the run's).
MANIFEST_FIELDS=$(jq -r '
  "kind\t\(.kind // "")", "format\t\(.formatVersion // 0)", "run\t\(.runId // "")",
  "account\t\(.account // "")", "region\t\(.region // "")", "status\t\(.status // "")",
  "exposed\t\(.exposedUser.name? // "")",
  (.resources[]? | select(.state != "not-created")
    | if .type == "iam-user" then "user\t\(.name)"
      elif .type == "s3-bucket" then "bucket\t\(.name)\t\(.region)" else empty end)' "$MANIFEST" 2>/dev/null) ||
  usage_error "$MANIFEST is not a JSON manifest"
KIND='' FORMAT='' RUN_ID='' ACCOUNT='' RUN_REGION='' RUN_STATUS='' EXPOSED_USER='' USERS='' BUCKETS=''
while IFS=$'\t' read -r field value extra; do
  case $field in
    kind) KIND=$value ;;
    format) FORMAT=$value ;;
    run) RUN_ID=$value ;;
    account) ACCOUNT=$value ;;
    region) RUN_REGION=$value ;;
    status) RUN_STATUS=$value ;;
    exposed) EXPOSED_USER=$value ;;
    user)
      [[ $value =~ ^[A-Za-z0-9+=,.@_-]{1,64}$ ]] || usage_error "the manifest names an invalid IAM user: '$value'"
      USERS="$USERS$value"$'\n'
      ;;
    bucket)
      [[ $value =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || usage_error "the manifest names an invalid bucket: '$value'"
      is_region "$extra" || usage_error "the manifest's bucket $value has an invalid region: '$extra'"
      BUCKETS="$BUCKETS$value"$'\t'"$extra"$'\n'
      ;;
  esac
done <<<"$MANIFEST_FIELDS"
[[ $KIND == irkit-simulation-run ]] ||
  usage_error "$MANIFEST is not an IR Kit simulation run manifest (kind is not irkit-simulation-run)"
[[ $FORMAT == "$IRKIT_MANIFEST_FORMAT" ]] ||
  usage_error "$MANIFEST has formatVersion $FORMAT; this script reads $IRKIT_MANIFEST_FORMAT (use the kit version that wrote it)"
is_run_id "$RUN_ID" || usage_error "the manifest's runId '$RUN_ID' is invalid"
is_account_id "$ACCOUNT" || usage_error "the manifest's account '$ACCOUNT' is invalid"
is_region "$RUN_REGION" || usage_error "the manifest's region '$RUN_REGION' is invalid"
STACK_REGION=${STACK_REGION:-$RUN_REGION}
[[ $RUN_STATUS != running ]] ||
  warn "the manifest says the run is still running; if it is, stop it first (a still-running run can recreate what this removes)"

IRKIT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/irkit-undo.XXXXXX")
trap 'rm -rf "$IRKIT_TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
RESULTS="$IRKIT_TMP/results.tsv"
DRY_NOTE=''
[[ $DRY_RUN == false ]] || DRY_NOTE=' (dry run)'
: >"$RESULTS"

# ---------------------------------------------------------------- calls and results
call() {
  local region=$1
  shift
  if [[ -n $PROFILE ]]; then
    run_aws aws --profile "$PROFILE" "$@" --region "$region" --output json
  else
    run_aws aws "$@" --region "$region" --output json
  fi
}

# A call that changes something: printed and skipped under --dry-run (AWS_RC=0, no output).
mutate() {
  local region=$1
  shift
  if [[ $DRY_RUN == true ]]; then
    printf 'would run: aws %s\n' "$(quote_cmd "$@" --region "$region")" >&2
    AWS_RC=0 AWS_OUT='' AWS_ERR='' AWS_ERROR_CODE=''
    return 0
  fi
  log "aws $(quote_cmd "$@")"
  call "$region" "$@"
}

out_jq() { printf '%s' "$AWS_OUT" | jq -r "$@"; }

# result CATEGORY RESOURCE DETAIL: removed | gone (already absent) | failed (could not remove)
result() {
  local detail=${3:-}
  printf '%s\t%s\t%s\n' "$1" "$2" "${detail//$'\t'/ }" >>"$RESULTS"
  case $1 in
    removed) log "removed $2${detail:+ ($detail)}" ;;
    gone) log "already gone: $2" ;;
    failed) error "could not remove $2: $detail" ;;
    note) log "note: $2: $detail" ;;
  esac
}

# ---------------------------------------------------------------- guard
call "$RUN_REGION" sts get-caller-identity
if [[ $AWS_RC -ne 0 ]]; then
  error "cannot identify your credentials: $(aws_error_line)"
  exit 2
fi
IFS=$'\t' read -r CALLER_ACCOUNT CALLER_ARN < <(out_jq '[.Account // "", .Arn // ""] | @tsv') || true
if [[ $CALLER_ACCOUNT != "$ACCOUNT" ]]; then
  error "refusing: your credentials are for account ${CALLER_ACCOUNT:-unknown}, the run was in $ACCOUNT"
  printf '  -> use credentials of the sandbox account %s (--profile). Nothing was changed.\n' "$ACCOUNT" >&2
  exit 2
fi
log "undoing run $RUN_ID in account $ACCOUNT as $CALLER_ARN$DRY_NOTE"

# ---------------------------------------------------------------- containment stacks
# Looked for always (read only), deleted only with --with-containment-stacks, and first: a
# user containment stack detaches its policy and a bucket one restores the bucket policy when
# deleted, and the bucket's deny would otherwise refuse our own deletes.
containment_stacks() {
  call "$STACK_REGION" cloudformation describe-stacks
  if [[ $AWS_RC -ne 0 ]]; then
    if [[ $WITH_STACKS == true ]]; then
      result failed "containment stacks in $STACK_REGION" "cannot list stacks: $(aws_error_line)"
    else
      warn "could not look for containment stacks of this run: $(aws_error_line)"
    fi
    return 0
  fi
  # A stack is the run's when its irkit:target tag names a resource of the run (as a name or
  # at the end of an ARN), or its name or irkit:simulation-run tag carries the run id. Stacks
  # that contain the simulation user are reported, never deleted: the run did not create it.
  local found kind stack
  found=$(out_jq --arg targets "$USERS$(cut -f1 <<<"$BUCKETS")" --arg run "$RUN_ID" \
    --arg tagKey "$IRKIT_RUN_TAG_KEY" --arg exposed "$EXPOSED_USER" '
    def names($v; $list): $list | any(. as $n | $v == $n or ($v | endswith("/" + $n)) or ($v | endswith(":" + $n)));
    ($targets | split("\n") | map(select(length > 0))) as $targets
    | .Stacks[]? | select((.StackName | startswith("irkit-contain-")) and .StackStatus != "DELETE_COMPLETE")
    | (.Tags // []) as $tags
    | if ($tags | any((.Key == "irkit:target" and names(.Value; $targets)) or (.Key == $tagKey and .Value == $run)))
        or (.StackName | ascii_downcase | contains($run)) then "ours\t\(.StackName)"
      elif $exposed != "" and ($tags | any(.Key == "irkit:target" and names(.Value; [$exposed]))) then "other\t\(.StackName)"
      else empty end')
  while IFS=$'\t' read -r kind stack; do
    [[ -n $stack ]] || continue
    if [[ $kind == other ]]; then
      result note "cloudformation-stack $stack" \
        "contains the simulation user $EXPOSED_USER, which this run did not create: left alone (release it with irkit release)"
    elif [[ $WITH_STACKS == false ]]; then
      result note "cloudformation-stack $stack" \
        "contains this run's resources: left alone (rerun with --with-containment-stacks, or irkit release)"
    else
      remove_stack "$stack"
    fi
  done <<<"$found"
}

remove_stack() {
  local stack=$1
  mutate "$STACK_REGION" cloudformation delete-stack --stack-name "$stack"
  if [[ $AWS_RC -ne 0 ]]; then
    result failed "cloudformation-stack $stack" "$(aws_error_line)"
    return 0
  fi
  if [[ $DRY_RUN == true ]]; then
    result removed "cloudformation-stack $stack" 'dry run'
    return 0
  fi
  call "$STACK_REGION" cloudformation wait stack-delete-complete --stack-name "$stack"
  if [[ $AWS_RC -eq 0 ]]; then
    result removed "cloudformation-stack $stack"
  else
    result failed "cloudformation-stack $stack" \
      "deletion did not complete ($(aws_error_line)); see the stack's events (DELETE_FAILED keeps what it could not delete)"
  fi
}

# ---------------------------------------------------------------- the run's IAM user
# Everything that makes DeleteUser fail, as: list operation, then the call that removes one
# item, its id option, and how the summary counts it.
USER_LISTS='list-attached-user-policies list-user-policies list-access-keys list-signing-certificates
  list-ssh-public-keys list-service-specific-credentials list-mfa-devices list-groups-for-user'
remover_of() {
  case $1 in
    list-attached-user-policies) printf 'detach-user-policy --policy-arn managed-policies-detached' ;;
    list-user-policies) printf 'delete-user-policy --policy-name inline-policies' ;;
    list-access-keys) printf 'delete-access-key --access-key-id access-keys' ;;
    list-signing-certificates) printf 'delete-signing-certificate --certificate-id signing-certificates' ;;
    list-ssh-public-keys) printf 'delete-ssh-public-key --ssh-public-key-id SSH-public-keys' ;;
    list-service-specific-credentials)
      printf 'delete-service-specific-credential --service-specific-credential-id service-specific-credentials'
      ;;
    # Deactivating is enough for DeleteUser; the MFA device itself is not the run's to delete.
    list-mfa-devices) printf 'deactivate-mfa-device --serial-number MFA-devices-deactivated' ;;
    list-groups-for-user) printf 'remove-user-from-group --group-name group-memberships' ;;
  esac
}
# One jq run reads every list at once (jq's start-up dominates this script's own cost).
USER_ITEMS_JQ='
  def items($op):
    if $op == "get-user" then (if (.User.Tags // []) | any(.Key == $k and .Value == $v) then "tagged" else empty end)
    elif $op == "list-attached-user-policies" then .AttachedPolicies[]?.PolicyArn
    elif $op == "list-user-policies" then .PolicyNames[]?
    elif $op == "list-access-keys" then .AccessKeyMetadata[]?.AccessKeyId
    elif $op == "list-signing-certificates" then .Certificates[]?.CertificateId
    elif $op == "list-ssh-public-keys" then .SSHPublicKeys[]?.SSHPublicKeyId
    elif $op == "list-service-specific-credentials" then .ServiceSpecificCredentials[]?.ServiceSpecificCredentialId
    elif $op == "list-mfa-devices" then .MFADevices[]?.SerialNumber
    elif $op == "list-groups-for-user" then .Groups[]?.GroupName
    else empty end;
  (input_filename | split("/") | last | ltrimstr("user-") | rtrimstr(".json")) as $op | items($op) | "\($op)\t\(.)"'

remove_user() {
  local user=$1 problems='' details='' list files=() has_login_profile=false
  call "$RUN_REGION" iam get-user --user-name "$user"
  if [[ $AWS_RC -ne 0 ]]; then
    if [[ $AWS_ERROR_CODE == NoSuchEntity ]]; then
      result gone "iam-user $user"
    else
      result failed "iam-user $user" "$(aws_error_line)"
    fi
    return 0
  fi
  rm -f "$IRKIT_TMP"/user-*.json
  printf '%s' "$AWS_OUT" >"$IRKIT_TMP/user-get-user.json"
  files+=("$IRKIT_TMP/user-get-user.json")
  # Read everything first, change nothing until the run tag is confirmed.
  for list in $USER_LISTS; do
    call "$RUN_REGION" iam "$list" --user-name "$user"
    if [[ $AWS_RC -eq 0 ]]; then
      printf '%s' "$AWS_OUT" >"$IRKIT_TMP/user-$list.json"
      files+=("$IRKIT_TMP/user-$list.json")
    else
      problems="$problems; cannot $list: $(aws_error_line)"
    fi
  done
  call "$RUN_REGION" iam get-login-profile --user-name "$user"
  if [[ $AWS_RC -eq 0 ]]; then
    has_login_profile=true
  elif [[ $AWS_ERROR_CODE != NoSuchEntity ]]; then
    problems="$problems; cannot get-login-profile: $(aws_error_line)"
  fi
  local items
  items=$(jq -r --arg k "$IRKIT_RUN_TAG_KEY" --arg v "$RUN_ID" "$USER_ITEMS_JQ" "${files[@]}")
  # The name is run-unique and CreateUser itself set the tag: a user without it is not one
  # this run created.
  if [[ $items != $'get-user\ttagged'* ]]; then
    result failed "iam-user $user" "it exists but is not tagged $IRKIT_RUN_TAG_KEY=$RUN_ID, so this run did not create it: left alone"
    return 0
  fi
  local op item delete_op id_option label count=0 current=''
  while IFS=$'\t' read -r op item; do
    [[ -n $item ]] || continue
    read -r delete_op id_option label <<<"$(remover_of "$op")"
    if [[ $label != "$current" ]]; then
      flush_count
      current=$label
      count=0
    fi
    if [[ $op == list-access-keys && $has_login_profile == true ]]; then
      remove_login_profile "$user"
      has_login_profile=false
    fi
    mutate "$RUN_REGION" iam "$delete_op" --user-name "$user" "$id_option" "$item"
    if [[ $AWS_RC -eq 0 || $AWS_ERROR_CODE == NoSuchEntity ]]; then
      count=$((count + 1))
    else
      problems="$problems; $delete_op $item: $(aws_error_line)"
    fi
  done <<<"$(tail -n +2 <<<"$items")"
  flush_count
  [[ $has_login_profile == false ]] || remove_login_profile "$user"
  mutate "$RUN_REGION" iam delete-user --user-name "$user"
  details=${details#; }
  if [[ $AWS_RC -eq 0 ]]; then
    result removed "iam-user $user" "$details$DRY_NOTE"
  elif [[ $AWS_ERROR_CODE == NoSuchEntity ]]; then
    result gone "iam-user $user"
  else
    problems=${problems#; }
    result failed "iam-user $user" "$(aws_error_line)${problems:+ ($problems)}"
  fi
}

# The summary's count of one kind of item (dynamic scope: remove_user's locals).
flush_count() { [[ -z $current || $count -eq 0 ]] || details="$details; ${current//-/ }: $count"; }

remove_login_profile() {
  mutate "$RUN_REGION" iam delete-login-profile --user-name "$1"
  if [[ $AWS_RC -eq 0 || $AWS_ERROR_CODE == NoSuchEntity ]]; then
    details="$details; login profile deleted"
  else
    problems="$problems; delete-login-profile: $(aws_error_line)"
  fi
}

# ---------------------------------------------------------------- the run's bucket
remove_bucket() {
  local bucket=$1 region=$2
  local owner=(--expected-bucket-owner "$ACCOUNT")
  call "$region" s3api head-bucket --bucket "$bucket" "${owner[@]}"
  if [[ $AWS_RC -ne 0 ]]; then
    case $AWS_ERROR_CODE in
      404 | NoSuchBucket | NotFound) result gone "s3-bucket $bucket" ;;
      403 | AccessDenied | Forbidden)
        result failed "s3-bucket $bucket" "access denied: a bucket policy denies you (contained? rerun with --with-containment-stacks or as the break-glass role with --profile), or the bucket is not in account $ACCOUNT"
        ;;
      *) result failed "s3-bucket $bucket" "$(aws_error_line)" ;;
    esac
    return 0
  fi
  local versions=0 markers=0 listed batch n i counts
  # A few rounds, in case something is still writing to the bucket.
  for _ in 1 2 3; do
    call "$region" s3api list-object-versions --bucket "$bucket" "${owner[@]}"
    if [[ $AWS_RC -ne 0 ]]; then
      result failed "s3-bucket $bucket" "cannot list object versions: $(aws_error_line)"
      return 0
    fi
    # First line: the counts; then one DeleteObjects request per 1,000 keys (its limit).
    listed=$(out_jq -c '[(.Versions // [])[] | {Key, VersionId}] as $v | [(.DeleteMarkers // [])[] | {Key, VersionId}] as $m
      | "\($v | length) \($m | length)", (($v + $m) as $all | range(0; $all | length; 1000) as $i
      | {Objects: $all[$i:$i + 1000], Quiet: true} | tojson)')
    read -r counts <<<"$listed"
    versions=$((versions + ${counts% *}))
    markers=$((markers + ${counts#* }))
    n=0
    while IFS= read -r batch; do
      n=$((n + 1))
      printf '%s' "$batch" >"$IRKIT_TMP/delete-$n.json"
    done < <(tail -n +2 <<<"$listed")
    [[ $n -gt 0 ]] || break
    for ((i = 1; i <= n; i++)); do
      mutate "$region" s3api delete-objects --bucket "$bucket" --delete "file://$IRKIT_TMP/delete-$i.json" "${owner[@]}"
      if [[ $AWS_RC -ne 0 ]]; then
        result failed "s3-bucket $bucket" "cannot delete object versions: $(aws_error_line)"
        return 0
      fi
      if [[ $AWS_OUT == *'"Errors"'* && $(out_jq '(.Errors // []) | length') != 0 ]]; then
        result failed "s3-bucket $bucket" "some object versions were not deleted: $(out_jq '.Errors[0] | "\(.Key) \(.VersionId): \(.Code) \(.Message)"')"
        return 0
      fi
    done
    [[ $DRY_RUN == false ]] || break
  done
  mutate "$region" s3api delete-bucket --bucket "$bucket" "${owner[@]}"
  if [[ $AWS_RC -eq 0 ]]; then
    result removed "s3-bucket $bucket" "object versions: $versions; delete markers: $markers$DRY_NOTE"
  elif [[ $AWS_ERROR_CODE == NoSuchBucket ]]; then
    result gone "s3-bucket $bucket"
  else
    result failed "s3-bucket $bucket" "$(aws_error_line)"
  fi
}

# ---------------------------------------------------------------- run
containment_stacks
for name in $USERS; do
  remove_user "$name"
done
while IFS=$'\t' read -r name region; do
  [[ -z $name ]] || remove_bucket "$name" "$region"
done <<<"$BUCKETS"

# ---------------------------------------------------------------- summary
FAILED=$(grep -c '^failed' "$RESULTS" || true)
REMOVED=$(grep -c '^removed' "$RESULTS" || true)
if [[ $JSON == true ]]; then
  jq -R -s --arg run "$RUN_ID" --arg account "$ACCOUNT" --argjson dry "$DRY_RUN" '
    [split("\n")[] | select(length > 0) | split("\t") | {category: .[0], resource: .[1], detail: .[2]}] as $r
    | {runId: $run, account: $account, dryRun: $dry,
       removed: [$r[] | select(.category == "removed") | {resource, detail}],
       alreadyGone: [$r[] | select(.category == "gone") | .resource],
       notRemoved: [$r[] | select(.category == "failed") | {resource, reason: .detail}],
       notes: [$r[] | select(.category == "note") | {resource, detail}],
       nothingLeft: ([$r[] | select(.category == "removed" or .category == "failed")] | length == 0)}' "$RESULTS"
else
  if [[ $FAILED -eq 0 && $REMOVED -eq 0 ]]; then
    printf 'Nothing left to remove for run %s: everything in the manifest is already gone.\n' "$RUN_ID"
  else
    printf 'Undo of run %s in account %s%s:\n' "$RUN_ID" "$ACCOUNT" "${DRY_NOTE:+ (dry run: nothing was removed)}"
  fi
  while IFS=$'\t' read -r category resource detail; do
    case $category in
      removed) printf '  removed        %s%s\n' "$resource" "${detail:+ ($detail)}" ;;
      gone) printf '  already gone   %s\n' "$resource" ;;
      note) printf '  left alone     %s: %s\n' "$resource" "$detail" ;;
    esac
  done <"$RESULTS"
  if [[ $FAILED -gt 0 ]]; then
    printf 'Could not remove:\n'
    while IFS=$'\t' read -r category resource detail; do
      if [[ $category == failed ]]; then printf '  %s: %s\n' "$resource" "$detail"; fi
    done <"$RESULTS"
  fi
fi
[[ $FAILED -eq 0 ]] || exit 1
