#!/usr/bin/env bash
# wpfleet-release: release one site's code onto the shared file system, or roll it back.
#
# Implements docs/release-layout.md (the contract with the runtime); how to use it and what
# every step guarantees is in docs/release.md. Configuration comes from the environment
# (see usage below); nothing here prints a secret.
#
# Exit codes: 0 done; 1 failed, `current` untouched; 2 bad configuration or input, nothing
# done; 3 another release or rollback of this site holds the lock; 4 the pointer was switched
# but the database upgrade after it failed.
set -Eeuo pipefail
shopt -s nullglob
export LC_ALL=C
umask 022

readonly PROG=wpfleet-release
readonly E_FAIL=1 E_USAGE=2 E_LOCKED=3 E_POST=4
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly START_US=${EPOCHREALTIME/./} # microseconds
readonly ID_RE='^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$'
# The stub of docs/release-layout.md plus the wp-settings.php line that WP-CLI needs (it refuses
# a wp-config.php without one; see image/README.md). The platform file loads wp-settings.php
# itself except under WP-CLI, so on the web this line is a no-op (require_once).
readonly STUB="<?php
// Written by the wpfleet release job. Configuration comes from the platform, not the repository.
require '/etc/wpfleet/wp-config.php';
require_once ABSPATH . 'wp-settings.php';"

STEP=start  # what the job is doing, named in failure messages
WORK=()     # our own work files under .wpfleet/tmp, removed on exit
OLD_ID=""   # the release that was live when we started
NEW_LIVE="" # set once the pointer names the new release
# Private temp dir outside the site (option files, index, failure marker); removed on exit.
PRIV=$(mktemp -d "${TMPDIR:-/tmp}/wpfleet-release.XXXXXX")
readonly PRIV

usage() {
	cat >&2 <<'EOF'
usage: wpfleet-release.sh            (all input comes from the environment)
  RELEASE_PATH         site name, ^[a-z][a-z0-9-]{0,13}$, one of WPFLEET_SITES
  BRANCH               branch, tag or commit (7-40 hex) to release; unused for rollback
  ACTION               release (default) | rollback
  WPFLEET_SITES        space-separated site names of this environment
  WPFLEET_ENV          environment name (prod, staging, ...)
  WPFLEET_SITES_ROOT   directory holding one directory per site (default /mnt/sites)
  KEEP_RELEASES        releases kept per site (default 5; the live and previous one always)
  REPO_URL_TEMPLATE    repository URL with {site}; REPO_URL_<SITE> overrides it per site
  GIT_CREDENTIALS_SECRET_ARN  optional secret {"username","token"} for https remotes
  DB_HOST, DB_PORT     database writer endpoint (port default 3306)
  DB_MASTER_SECRET_ARN secret {"username","password"} of the database master user
  SITE_SECRET_PREFIX   per-site secret is <prefix><site>/db {"username","password","dbname"}
  DB_TLS_CA            CA bundle for TLS to the database; DB_TLS=off disables TLS (local only)
  WPFLEET_TABLE_PREFIX WordPress table prefix (default wp_)
  WPFLEET_SKIP_UPDATE_DB=1    release trees without WordPress, skipping the database upgrade
  WPFLEET_FULL_CHECKOUT=1     write the whole tree instead of hard-linking unchanged files
  HOOK_TIMEOUT         seconds allowed for each build hook (default 900)
EOF
}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# fail CODE MESSAGE: one line naming what went wrong, then exit. Called in a command
# substitution, it leaves a marker so that the main shell exits with the same code silently.
fail() {
	local code=$1
	shift
	local where=""
	if [[ -n $NEW_LIVE ]]; then
		where=" (release $NEW_LIVE is live)"
	elif [[ -n $OLD_ID ]]; then
		where=" (current still $OLD_ID)"
	fi
	printf '%s: error: %s%s\n' "$PROG" "$*" "$where" >&2
	printf '%s' "$code" >"$PRIV/failed"
	exit "$code"
}

on_err() {
	local rc=$1 line=$2 cmd=$3
	# Only the main shell reports; a failing subshell makes the main shell fail too.
	[[ $BASHPID == "$$" ]] || exit "$rc"
	[[ -f $PRIV/failed ]] && exit "$(cat "$PRIV/failed")"
	fail "$E_FAIL" "step $STEP failed: '$cmd' exited $rc (line $line)"
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap 'fail "$E_FAIL" "step $STEP interrupted by a signal"' INT TERM HUP

cleanup() {
	local f
	if [[ -n ${PRELINK_PID:-} ]]; then
		kill "$PRELINK_PID" 2>/dev/null || true
		wait "$PRELINK_PID" 2>/dev/null || true
	fi
	for f in "${WORK[@]}"; do rm -rf -- "$f"; done
	rm -rf -- "$PRIV"
	return 0
}
trap cleanup EXIT

# checkpoint NAME: fault drills stop the job here (WPFLEET_FAULT_STOP_AT=NAME) so that a test
# can kill it at an exact point. Never set in production.
checkpoint() {
	[[ ${WPFLEET_FAULT_STOP_AT:-} == "$1" ]] || return 0
	log "stopped at checkpoint $1 (WPFLEET_FAULT_STOP_AT)"
	kill -STOP "$$"
}

elapsed() {
	local d=$((${EPOCHREALTIME/./} - START_US))
	printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
}

# step NAME: enter a step, logging the time so far (where a slow release spends its time).
step() {
	STEP=$1
	log "$(elapsed)s: $1"
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || fail "$E_USAGE" "required command '$c' is not installed"
	done
}

# ---------------------------------------------------------------- input ----------------

check_input() {
	ACTION=${ACTION:-release}
	case $ACTION in release | rollback) ;; *) fail "$E_USAGE" "ACTION='$ACTION' is not allowed: use release or rollback" ;; esac
	SITE=${RELEASE_PATH:-}
	[[ $SITE =~ ^[a-z][a-z0-9-]{0,13}$ ]] ||
		fail "$E_USAGE" "RELEASE_PATH='$SITE' is not a site name: ^[a-z][a-z0-9-]{0,13}\$ required"
	local s found="" sites=()
	read -ra sites <<<"${WPFLEET_SITES:-}"
	for s in "${sites[@]}"; do [[ $s == "$SITE" ]] && found=1; done
	[[ -n $found ]] || fail "$E_USAGE" "site '$SITE' is not one of WPFLEET_SITES ('${WPFLEET_SITES:-}')"
	ROOT=${WPFLEET_SITES_ROOT:-/mnt/sites}
	[[ -d $ROOT ]] || fail "$E_USAGE" "sites root '$ROOT' is not a directory (is the file system mounted?)"
	KEEP=${KEEP_RELEASES:-5}
	[[ $KEEP =~ ^[1-9][0-9]{0,2}$ ]] || fail "$E_USAGE" "KEEP_RELEASES='$KEEP' must be a whole number from 1 to 999"
	S=$ROOT/$SITE
	W=$S/.wpfleet
	if [[ $ACTION == release ]]; then
		REF=${BRANCH:-}
		[[ $REF =~ ^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$ && $REF != *..* && $REF != *.lock && $REF != */ ]] ||
			fail "$E_USAGE" "BRANCH='$REF' is not a branch, tag or commit name: letters, digits and . _ / - allowed, no '..'"
		HOOK_TIMEOUT=${HOOK_TIMEOUT:-900}
		[[ $HOOK_TIMEOUT =~ ^[1-9][0-9]{0,4}$ ]] || fail "$E_USAGE" "HOOK_TIMEOUT='$HOOK_TIMEOUT' must be a number of seconds from 1 to 99999"
		need git tar zstd jq aws find realpath timeout
		check_db_config
		repo_url >/dev/null
	fi
	need flock sha256sum jq
}

# ---------------------------------------------------------------- lock -----------------

take_lock() {
	mkdir -p "$S/releases" "$S/artifacts" "$W/tmp"
	exec 9<>"$W/lock"
	if ! flock -n 9; then
		local holder
		holder=$(head -c 400 "$W/lock" | tr -d '\n' | tr -c '[:print:]' '?')
		fail "$E_LOCKED" "site $SITE is being released by another job (${holder:-holder unknown}); try again when it ends"
	fi
	printf 'pid=%s host=%s build=%s action=%s ref=%s since=%s\n' "$$" "${HOSTNAME:-?}" \
		"${CODEBUILD_BUILD_ID:-none}" "$ACTION" "${REF:-}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$W/lock"
	# Leftovers of killed jobs: the work area and stray pointer candidates.
	rm -rf -- "${W:?}/tmp" "$S"/current.tmp-*
	mkdir -p "$W/tmp"
}

current_id() {
	local t
	t=$(readlink "$S/current" 2>/dev/null) || return 0
	[[ $t == releases/* && ${t#releases/} =~ $ID_RE ]] || fail "$E_FAIL" "$S/current points to '$t', not releases/<id>"
	printf '%s' "${t#releases/}"
}

# previous_id CUR: the release live before CUR (latest other id in the history whose
# directory still exists), or nothing.
previous_id() {
	local cur=$1 id
	[[ -f $W/history ]] || return 0
	while read -r _ id _; do
		[[ $id =~ $ID_RE && $id != "$cur" && -d $S/releases/$id ]] || continue
		printf '%s' "$id"
		return 0
	done < <(tac "$W/history")
}

# release_complete ID: its directory, manifest, artifact and checksum file exist and agree.
# (The artifact is not hashed again here: it was fsynced before it was published, and its
# readers verify it before use; hashing it would make a rollback take as long as reading it.)
release_complete() {
	local id=$1 want
	[[ -d $S/releases/$id && -f $S/releases/$id/.wpfleet-release ]] || return 1
	[[ -s $S/artifacts/$id.tar.zst && -f $S/artifacts/$id.tar.zst.sha256 ]] || return 1
	want=$(jq -er '.sha256 | strings' "$S/releases/$id/.wpfleet-release") || return 1
	[[ $(<"$S/artifacts/$id.tar.zst.sha256") == "$want  $id.tar.zst" ]]
}

switch_to() {
	local id=$1 action=$2
	ln -s "releases/$id" "$S/current.tmp-$id"
	mv -T "$S/current.tmp-$id" "$S/current"
	sync "$S" 2>/dev/null || true
	printf '%s %s %s\n' "$(date +%s)" "$id" "$action" >>"$W/history"
}

# ---------------------------------------------------------------- secrets --------------

# secret ARN: the secret string, on stdout only (callers keep it in a variable).
secret() {
	local out
	out=$(aws secretsmanager get-secret-value --secret-id "$1" --query SecretString --output text) ||
		fail "$E_FAIL" "cannot read secret $1 (aws secretsmanager get-secret-value failed)"
	printf '%s' "$out"
}

# fields JSON NAME VAR=KEY...: set each VAR to the string field KEY of the JSON object (one jq;
# its @sh output is quoted for eval); fails naming the secret if a field is missing.
fields() {
	local json=$1 name=$2 code
	shift 2
	code=$(printf '%s' "$json" | jq -r --args '. as $o | [$ARGS.positional[] | split("=")] as $pairs
		| [$pairs[] | .[1] | select(($o[.] | type) != "string")] as $missing
		| if $missing != [] then error("no string field " + ($missing | join(", ")))
		  else $pairs[] | "\(.[0])=\($o[.[1]] | @sh)" end' "$@" 2>&1) ||
		fail "$E_FAIL" "secret $name: ${code##*): } (need string fields: ${*#*=})"
	eval "$code"
}

# mysql_cnf FILE USER PASSWORD: a client option file, mode 0600, inside $PRIV.
mysql_cnf() {
	local file=$1 user=$2 pass=$3
	[[ $user != *[[:cntrl:]]* && $pass != *[[:cntrl:]]* ]] || fail "$E_FAIL" "database credentials contain control characters"
	# Option file values: double-quoted, with backslashes and double quotes escaped.
	user=${user//\\/\\\\}
	pass=${pass//\\/\\\\}
	(
		umask 077
		printf '[client]\nuser="%s"\npassword="%s"\nhost="%s"\nport=%s\n' \
			"${user//\"/\\\"}" "${pass//\"/\\\"}" "$DB_HOST" "$DB_PORT" >"$file"
		if [[ ${DB_TLS:-on} != off ]]; then
			printf 'ssl\nssl-ca="%s"\nssl-verify-server-cert\n' "$DB_TLS_CA" >>"$file"
		fi
	)
}

sql_string() { # a single-quoted SQL literal (sql_mode without NO_BACKSLASH_ESCAPES)
	local v=${1//\\/\\\\}
	printf "'%s'" "${v//\'/\\\'}"
}

check_db_config() {
	DB_HOST=${DB_HOST:-}
	DB_PORT=${DB_PORT:-3306}
	[[ $DB_HOST =~ ^[A-Za-z0-9.:-]+$ ]] || fail "$E_USAGE" "DB_HOST='$DB_HOST' is not a host name"
	[[ $DB_PORT =~ ^[0-9]{1,5}$ ]] || fail "$E_USAGE" "DB_PORT='$DB_PORT' is not a port number"
	[[ -n ${DB_MASTER_SECRET_ARN:-} ]] || fail "$E_USAGE" "DB_MASTER_SECRET_ARN is not set"
	[[ -n ${SITE_SECRET_PREFIX:-} ]] || fail "$E_USAGE" "SITE_SECRET_PREFIX is not set"
	if [[ ${DB_TLS:-on} == off ]]; then
		log "TLS to the database is off (DB_TLS=off)"
	else
		[[ -n ${DB_TLS_CA:-} && -f ${DB_TLS_CA:-} ]] ||
			fail "$E_USAGE" "DB_TLS_CA='${DB_TLS_CA:-}' must be the database CA bundle file (or DB_TLS=off for a local database)"
	fi
	MYSQL=${MYSQL_CLIENT:-}
	if [[ -z $MYSQL ]]; then
		MYSQL=$(command -v mariadb || command -v mysql) || fail "$E_USAGE" "no mariadb or mysql client installed"
	fi
}

# ensure_database: the site's database and user exist and the user's password matches its
# secret. Idempotent; runs on every release.
ensure_database() {
	step database
	SITE_SECRET=$(secret "${SITE_SECRET_PREFIX}${SITE}/db")
	local db user pass master mu mp
	fields "$SITE_SECRET" "${SITE_SECRET_PREFIX}${SITE}/db" db=dbname user=username pass=password
	[[ $db =~ ^[A-Za-z0-9_]{1,64}$ ]] || fail "$E_FAIL" "database name '$db' is not allowed: [A-Za-z0-9_], 1-64 characters"
	[[ $user =~ ^[A-Za-z0-9_]{1,32}$ ]] || fail "$E_FAIL" "database user '$user' is not allowed: [A-Za-z0-9_], 1-32 characters"
	[[ -n $pass && $pass != *[[:cntrl:]]* ]] || fail "$E_FAIL" "the password of database user '$user' is empty or has control characters"
	master=$(secret "$DB_MASTER_SECRET_ARN")
	fields "$master" "$DB_MASTER_SECRET_ARN" mu=username mp=password
	mysql_cnf "$PRIV/master.cnf" "$mu" "$mp"
	local lit out
	lit=$(sql_string "$pass")
	if ! out=$(printf '%s\n' \
		"SET SESSION sql_mode = '';" \
		"CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" \
		"CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY $lit;" \
		"ALTER USER '$user'@'%' IDENTIFIED BY $lit;" \
		"GRANT ALL PRIVILEGES ON \`$db\`.* TO '$user'@'%';" |
		"$MYSQL" --defaults-file="$PRIV/master.cnf" --batch --connect-timeout=20 2>&1); then
		# A server error may quote the statement near its error: never the password.
		out=${out//"$lit"/"'<password>'"}
		out=${out//"$pass"/<password>}
		fail "$E_FAIL" "cannot create database $db and user $user on $DB_HOST: $(tr '\n' ' ' <<<"$out")"
	fi
	rm -f "$PRIV/master.cnf"
	log "database $db and user $user ready on $DB_HOST"
}

# ---------------------------------------------------------------- git ------------------

repo_url() {
	local var=REPO_URL_${SITE^^}
	var=${var//-/_}
	local url=${!var:-}
	if [[ -z $url ]]; then
		[[ -n ${REPO_URL_TEMPLATE:-} ]] || fail "$E_USAGE" "neither $var nor REPO_URL_TEMPLATE is set"
		url=${REPO_URL_TEMPLATE//\{site\}/$SITE}
	fi
	case $url in
	https://* | ssh://* | file://*) ;;
	http://127.0.0.1[:/]* | http://localhost[:/]*) ;;
	*) fail "$E_USAGE" "repository URL '$url' is not allowed: use https://, ssh:// or file://" ;;
	esac
	printf '%s' "$url"
}

# git with the job's settings: never prompt, never detach gc (it would inherit the lock).
g() {
	local cred=()
	if [[ -n ${GIT_CREDENTIALS_SECRET_ARN:-} ]]; then
		# Run through bash: the job's files may arrive without their executable bits.
		cred=(-c credential.helper= -c "credential.helper=!bash '$HERE/git-credential-wpfleet'")
	fi
	# A remote that stalls for a minute fails the fetch instead of hanging the build.
	GIT_TERMINAL_PROMPT=0 git -c gc.auto=0 -c maintenance.auto=false -c protocol.ext.allow=never \
		-c http.lowSpeedLimit=1000 -c http.lowSpeedTime=60 \
		"${cred[@]}" --git-dir="$W/repo.git" "$@"
}

fetch() {
	step fetch
	local url out
	url=$(repo_url)
	git init -q --bare "$W/repo.git" # idempotent; repairs a mirror whose first init was cut short
	git --git-dir="$W/repo.git" config remote.origin.url "$url"
	if ! out=$(g fetch --quiet --prune --atomic --no-tags origin \
		'+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*' 2>&1 9>&-); then
		fail "$E_FAIL" "cannot fetch $url: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
	fi
}

resolve() {
	step resolve
	local c
	if c=$(g rev-parse --verify --quiet "refs/heads/$REF^{commit}"); then :
	elif c=$(g rev-parse --verify --quiet "refs/tags/$REF^{commit}"); then :
	elif [[ $REF =~ ^[0-9a-f]{7,40}$ ]] && c=$(g rev-parse --verify --quiet "$REF^{commit}"); then :
	else
		fail "$E_FAIL" "'$REF' is not a branch, tag or commit of $(repo_url)"
	fi
	COMMIT=$c
}

new_id() {
	local id
	while :; do
		id=$(date -u +%Y%m%dT%H%M%SZ)-${COMMIT:0:12}
		if [[ ! -e $S/releases/$id && ! -e $S/artifacts/$id.tar.zst ]] &&
			! grep -qs " $id " "$W/history"; then
			printf '%s' "$id"
			return
		fi
		sleep 1
	done
}

# base_commit: the commit of the live release when the new tree may start as hard links to it
# (neither release has hooks, so both trees are exactly their commits plus the stub and the
# manifest, and nothing will write into a file in place); fails otherwise.
base_commit() {
	[[ -n $OLD_ID && -z $HAS_HOOKS && ${WPFLEET_FULL_CHECKOUT:-} != 1 ]] || return 1
	local m=$S/releases/$OLD_ID/.wpfleet-release c
	c=$(jq -er 'select(.hooks == []) | .commit | strings' "$m" 2>/dev/null) || return 1
	[[ $c =~ ^[0-9a-f]{40}$ ]] && g cat-file -e "$c^{commit}" 2>/dev/null || return 1
	printf '%s' "$c"
}

# prelink: hard-link the live release into the work area in the background while the database
# and fetch steps wait on the network; checkout uses it when the new commit allows.
prelink() {
	PRELINK_PID=""
	[[ -n $OLD_ID && ${WPFLEET_FULL_CHECKOUT:-} != 1 ]] || return 0
	jq -e '.hooks == []' "$S/releases/$OLD_ID/.wpfleet-release" >/dev/null 2>&1 || return 0
	PRELINK=$W/tmp/prelink-$OLD_ID
	WORK+=("$PRELINK")
	cp -al "$S/releases/$OLD_ID" "$PRELINK" 9>&- &
	PRELINK_PID=$!
}

# linked_tree: $TREE as hard links to the live release (from prelink when it succeeded).
linked_tree() {
	local pid=${PRELINK_PID:-}
	PRELINK_PID=""
	if [[ -n $pid ]] && wait "$pid"; then
		mv -T "$PRELINK" "$TREE"
	else
		cp -al "$S/releases/$OLD_ID" "$TREE"
	fi
}

checkout() {
	step checkout
	local flags base
	# One pass over the commit's tree: submodules, hooks and a committed wp-config.php.
	flags=$(g ls-tree -r --full-tree "$COMMIT" | awk -F '\t' '
		{ split($1, m, " ") }
		m[1] == "160000" { print "submodules" }
		$2 == "composer.json" || $2 == ".wpfleet/hooks/build" { print "hooks" }
		$2 == "wp-config.php" { print "wp-config" }')
	[[ $flags != *submodules* ]] ||
		fail "$E_FAIL" "commit $COMMIT has submodules, which releases do not support: vendor them or use composer"
	HAS_HOOKS=""
	[[ $flags == *hooks* ]] && HAS_HOOKS=1
	REPO_WPCONFIG=""
	[[ $flags == *wp-config* ]] && REPO_WPCONFIG=1
	GIT_INDEX_FILE=$PRIV/index g read-tree "$COMMIT"
	if base=$(base_commit); then
		# Incremental: hard-link the live release, then replace what the commits change. Every
		# changed path is unlinked first, so no file shared with the live release is written.
		log "checkout: hard links to $OLD_ID, then the changes since ${base:0:12}"
		linked_tree
		rm -f "$TREE/wp-config.php" "$TREE/.wpfleet-release"
		g diff-tree -r -z --no-renames --name-only "$base" "$COMMIT" >"$PRIV/changed"
		(cd "$TREE" && xargs -0 -r rm -rf -- <"$PRIV/changed")
		find "$TREE" -mindepth 1 -depth -type d -empty -delete
		g diff-tree -r -z --no-renames --name-only --diff-filter=AMT "$base" "$COMMIT" >"$PRIV/changed"
		GIT_INDEX_FILE=$PRIV/index g --work-tree="$TREE" checkout-index --force -z --stdin <"$PRIV/changed"
	else
		if [[ -n ${PRELINK_PID:-} ]]; then # not usable: stop it (cleanup removes its directory)
			kill "$PRELINK_PID" 2>/dev/null || true
			wait "$PRELINK_PID" 2>/dev/null || true
			PRELINK_PID=""
		fi
		mkdir "$TREE"
		GIT_INDEX_FILE=$PRIV/index g -c checkout.workers=8 \
			--work-tree="$TREE" checkout-index --all --force
	fi
	rm -f "$PRIV/index" "$PRIV/changed"
}

# ---------------------------------------------------------------- hooks ----------------

# hook_env VAR=VALUE... COMMAND...: run repository code without the job's AWS credentials
# (the job's role can read the database master secret; a build step has no need to).
hook_env() {
	env -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -u AWS_CONTAINER_CREDENTIALS_FULL_URI \
		-u AWS_CONTAINER_AUTHORIZATION_TOKEN -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		-u AWS_SESSION_TOKEN -u GIT_CREDENTIALS_SECRET_ARN -u DB_MASTER_SECRET_ARN "$@"
}

run_hooks() {
	step hooks
	HOOKS=()
	if [[ -f $TREE/composer.json ]]; then
		command -v "${COMPOSER:-composer}" >/dev/null ||
			fail "$E_FAIL" "the repository has composer.json but composer is not installed"
		log "hook: composer install --no-dev"
		(cd "$TREE" && hook_env COMPOSER_ALLOW_SUPERUSER=1 timeout "$HOOK_TIMEOUT" "${COMPOSER:-composer}" install \
			--no-dev --no-interaction --optimize-autoloader --no-progress 9>&-) >&2 ||
			fail "$E_FAIL" "hook 'composer install --no-dev' failed (exit $?)"
		HOOKS+=(composer)
	fi
	local build=$TREE/.wpfleet/hooks/build
	if [[ -e $build || -L $build ]]; then
		[[ -f $build && -x $build ]] ||
			fail "$E_FAIL" ".wpfleet/hooks/build must be an executable file (git update-index --chmod=+x)"
		log "hook: .wpfleet/hooks/build"
		(cd "$TREE" && hook_env WPFLEET_SITE="$SITE" WPFLEET_ENV="${WPFLEET_ENV:-}" WPFLEET_REF="$REF" \
			WPFLEET_COMMIT="$COMMIT" WPFLEET_RELEASE_ID="$ID" \
			timeout "$HOOK_TIMEOUT" ./.wpfleet/hooks/build 9>&-) >&2 ||
			fail "$E_FAIL" "hook .wpfleet/hooks/build failed (exit $?; 124 means it ran longer than HOOK_TIMEOUT=${HOOK_TIMEOUT}s)"
		HOOKS+=(build)
	fi
	# The hooks are build inputs, not part of the site.
	rm -rf -- "$TREE/.wpfleet"
}

# check_tree: only files, directories and symlinks that stay inside the tree.
check_tree() {
	step check
	local odd links link target resolved
	# One walk: count files and bytes (for the manifest), symlinks, and anything else.
	read -r FILES BYTES links odd < <(find "$TREE" -mindepth 1 \( -type f -printf 'f %s\n' \) -o \
		\( -type l -printf 'l\n' \) -o \( ! -type d -printf 'o %P\n' \) |
		awk '$1 == "f" { n++; b += $2 } $1 == "l" { l++ }
			$1 == "o" && odd == "" { odd = substr($0, 3) }
			END { print n + 0, b + 0, l + 0, odd }')
	[[ -z $odd ]] || fail "$E_FAIL" "release tree has '$odd', which is not a file, directory or symlink"
	((links > 0)) || return 0
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		resolved=$(realpath -m -s --relative-to="$TREE" -- "$(dirname "$link")/$target")
		if [[ $target == /* || $resolved == .. || $resolved == ../* ]]; then
			fail "$E_FAIL" "symlink '${link#"$TREE"/}' -> '$target' points outside the release"
		fi
	done < <(find "$TREE" -type l -print0)
}

write_config_stub() {
	WPCONFIG=""
	if [[ -n $REPO_WPCONFIG || -e $TREE/wp-config.php || -L $TREE/wp-config.php ]]; then
		WPCONFIG=replaced
		log "warning: the repository's wp-config.php is replaced by the platform stub"
		rm -f "$TREE/wp-config.php"
	fi
	printf '%s\n' "$STUB" >"$TREE/wp-config.php"
}

# manifest [SHA256]: the release manifest, written atomically (the copy inside the artifact has
# no sha256: it cannot contain its own checksum).
manifest() {
	jq -n --arg id "$ID" --arg site "$SITE" --arg ref "$REF" --arg commit "$COMMIT" \
		--arg created "$CREATED" --argjson files "$FILES" --argjson bytes "$BYTES" \
		--arg previous "$OLD_ID" --arg wp_config "${WPCONFIG:-written}" \
		--arg sha256 "${1:-}" '
		{ id: $id, site: $site, ref: $ref, commit: $commit, created: $created,
		  artifact: ("artifacts/" + $id + ".tar.zst"), files: $files, bytes: $bytes,
		  previous: (if $previous == "" then null else $previous end),
		  hooks: $ARGS.positional, wp_config: $wp_config }
		+ (if $sha256 == "" then {} else { sha256: $sha256 } end)' --args "${HOOKS[@]}" >"$TREE/.wpfleet-release.new"
	mv -f "$TREE/.wpfleet-release.new" "$TREE/.wpfleet-release"
}

artifact() {
	step artifact
	ART=$W/tmp/$ID.tar.zst
	WORK+=("$ART" "$ART.sha256")
	# Hard links made by hooks are stored as files: the artifact holds only files, directories
	# and symlinks.
	tar --format=posix --pax-option=delete=atime,delete=ctime --numeric-owner --sort=name --hard-dereference \
		-C "$TREE" -cf - . | zstd -q -T0 -3 -o "$ART"
	sync "$ART"
	SHA=$(sha256sum "$ART" | awk '{ print $1 }')
	printf '%s  %s\n' "$SHA" "$ID.tar.zst" >"$ART.sha256"
	sync "$ART.sha256"
}

# ---------------------------------------------------------------- database upgrade -----

wordpress_ready() {
	[[ ${WPFLEET_SKIP_UPDATE_DB:-} == 1 ]] && return 0
	[[ -f $TREE/wp-settings.php && -f $TREE/wp-includes/version.php ]] ||
		fail "$E_FAIL" "the tree has no WordPress (wp-settings.php, wp-includes/version.php), so 'update-db' cannot run; set WPFLEET_SKIP_UPDATE_DB=1 to release it anyway"
	"${PHP:-php}" -r 'exit(extension_loaded("mysqli") ? 0 : 1);' 2>/dev/null ||
		fail "$E_FAIL" "php with the mysqli extension is needed for the database upgrade (${PHP:-php})"
}

update_db() {
	step update-db
	if [[ ${WPFLEET_SKIP_UPDATE_DB:-} == 1 ]]; then
		log "update-db skipped (WPFLEET_SKIP_UPDATE_DB=1)"
		return 0
	fi
	local ini=()
	[[ ${DB_TLS:-on} != off ]] && ini=(-d "openssl.cafile=$DB_TLS_CA")
	if ! printf '%s' "$SITE_SECRET" | DB_TLS=${DB_TLS:-on} "${PHP:-php}" "${ini[@]}" \
		"$HERE/wp-update-db.php" "$S/releases/$ID" "$DB_HOST:$DB_PORT" >&2 9>&-; then
		fail "$E_POST" "release $ID is live but the database upgrade failed; fix it and run the release again"
	fi
}

# ---------------------------------------------------------------- prune ----------------

prune() {
	step prune
	local cur prev ids=() id keep n i
	cur=$(current_id)
	prev=$(previous_id "$cur")
	for id in "$S"/releases/*; do
		id=${id##*/}
		[[ $id =~ $ID_RE ]] && ids+=("$id")
	done
	n=${#ids[@]}
	for ((i = 0; i < n; i++)); do
		id=${ids[i]}
		keep=""
		((n - i <= KEEP)) && keep=1
		[[ $id == "$cur" || $id == "$prev" ]] && keep=1
		[[ -n $keep ]] && continue
		# The directory goes first (one rename), then its artifact.
		mv -T "$S/releases/$id" "$W/tmp/prune-$id"
		rm -rf -- "${W:?}/tmp/prune-$id"
		rm -f -- "$S/artifacts/$id.tar.zst" "$S/artifacts/$id.tar.zst.sha256"
		log "pruned release $id"
	done
	# Artifacts whose release directory is gone (a job killed while publishing or pruning).
	for id in "$S"/artifacts/*.tar.zst "$S"/artifacts/*.tar.zst.sha256; do
		id=${id##*/}
		id=${id%.sha256}
		id=${id%.tar.zst}
		[[ -d $S/releases/$id ]] || rm -f -- "$S/artifacts/$id.tar.zst" "$S/artifacts/$id.tar.zst.sha256"
	done
	g -c gc.autoDetach=false gc --auto --quiet 9>&- || log "warning: git gc --auto failed (ignored)"
}

# ---------------------------------------------------------------- actions --------------

do_release() {
	prelink
	ensure_database
	fetch
	checkpoint fetched
	resolve
	ID=$(new_id)
	CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	TREE=$W/tmp/$ID
	WORK+=("$TREE")
	log "releasing $SITE ref $REF commit $COMMIT as $ID (current: ${OLD_ID:-none})"
	checkout
	checkpoint checked-out
	run_hooks
	checkpoint hooks-done
	write_config_stub
	check_tree
	wordpress_ready
	step manifest
	manifest
	artifact
	manifest "$SHA"
	checkpoint artifact-written
	step publish
	mv -T "$ART" "$S/artifacts/$ID.tar.zst"
	mv -T "$ART.sha256" "$S/artifacts/$ID.tar.zst.sha256"
	mv -T "$TREE" "$S/releases/$ID"
	sync -f "$S/releases/$ID"
	checkpoint published
	step switch
	switch_to "$ID" release
	NEW_LIVE=$ID
	checkpoint switched
	prune
	update_db
	local note=""
	[[ $WPCONFIG == replaced ]] && note=" wp_config=replaced"
	printf 'release site=%s ref=%s commit=%s id=%s seconds=%s%s\n' "$SITE" "$REF" "$COMMIT" "$ID" "$(elapsed)" "$note"
}

do_rollback() {
	step rollback
	[[ -n $OLD_ID ]] || fail "$E_FAIL" "site $SITE has no current release to roll back from"
	local to
	to=$(previous_id "$OLD_ID")
	[[ -n $to ]] || fail "$E_FAIL" "site $SITE has no earlier release left to roll back to"
	release_complete "$to" || fail "$E_FAIL" "release $to is incomplete (directory, manifest, artifact or checksum); not switching to it"
	switch_to "$to" rollback
	printf 'rollback site=%s from=%s to=%s seconds=%s\n' "$SITE" "$OLD_ID" "$to" "$(elapsed)"
}

main() {
	if [[ $# -gt 0 ]]; then
		usage
		exit "$E_USAGE"
	fi
	case ${DB_TLS:-on} in off | false | 0) DB_TLS=off ;; *) DB_TLS=on ;; esac
	check_input
	step lock
	take_lock
	checkpoint locked
	OLD_ID=$(current_id)
	case $ACTION in
	release) do_release ;;
	rollback) do_rollback ;;
	esac
}

main "$@"
