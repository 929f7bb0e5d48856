# shellcheck shell=bash disable=SC2034 # globals here are read by the scripts that source this file
# Shared by the attack and undo scripts: logging, input checks, and one way to call the AWS CLI
# that never trips `set -e`, so every caller decides what an error means.
# Written for bash 3.2 too (macOS): no associative arrays, no mapfile, guarded empty arrays.

IRKIT_LOG_TAG=${IRKIT_LOG_TAG:-irkit}
# The tag every run-created resource carries, and what the undo checks before deleting a user.
IRKIT_RUN_TAG_KEY='irkit:simulation-run'
IRKIT_MANIFEST_FORMAT=1

log() { printf '[%s] %s\n' "$IRKIT_LOG_TAG" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$IRKIT_LOG_TAG" "$*" >&2; }
error() { printf '[%s] ERROR: %s\n' "$IRKIT_LOG_TAG" "$*" >&2; }

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# Quotes a command so that what is printed can be pasted back into a shell.
quote_cmd() {
  local out='' arg
  for arg in "$@"; do out="$out $(printf '%q' "$arg")"; done
  printf '%s' "${out# }"
}

is_account_id() { [[ $1 =~ ^[0-9]{12}$ ]]; }
is_region() { [[ $1 =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]]; }
is_profile_name() { [[ $1 =~ ^[A-Za-z0-9_.@+=,-]+$ ]]; }
is_run_id() { [[ $1 =~ ^[a-z0-9][a-z0-9-]{2,30}$ ]]; }

# The ARN partition of a region, so policy ARNs are right in China and GovCloud too.
partition_of_region() {
  case $1 in
    cn-*) printf 'aws-cn' ;;
    us-gov-*) printf 'aws-us-gov' ;;
    *) printf 'aws' ;;
  esac
}

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || {
      error "'$tool' is required but was not found on PATH"
      exit 2
    }
  done
}

# run_aws CMD... runs a command (normally `env ... aws ...`) and sets AWS_RC, AWS_OUT, AWS_ERR
# and AWS_ERROR_CODE (the service's error code, `404` for HeadBucket, or empty). It never exits.
# IRKIT_TMP must be a private directory.
run_aws() {
  local rc=0
  "$@" >"$IRKIT_TMP/aws.out" 2>"$IRKIT_TMP/aws.err" || rc=$?
  AWS_RC=$rc
  AWS_OUT=$(cat "$IRKIT_TMP/aws.out")
  AWS_ERR=$(cat "$IRKIT_TMP/aws.err")
  AWS_ERROR_CODE=''
  if [[ $rc -ne 0 ]]; then
    if [[ $AWS_ERR =~ An\ error\ occurred\ \(([^\)]+)\) ]]; then
      AWS_ERROR_CODE=${BASH_REMATCH[1]}
    elif [[ $AWS_ERR == *'Waiter '*' failed'* ]]; then
      AWS_ERROR_CODE='WaiterFailed'
    fi
  fi
}

# The last non-empty line of the CLI's error output: the part a person needs to read.
aws_error_line() {
  local line last=''
  while IFS= read -r line; do
    [[ -n $line ]] && last=$line
  done <<<"$AWS_ERR"
  printf '%s' "${last:-exit code $AWS_RC, no error message}"
}
