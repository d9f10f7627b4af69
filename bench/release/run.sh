#!/usr/bin/env bash
# Release job benchmark: incremental release of a 20,000-file repository after a 10-file
# commit, and rollback, timed on this machine's local disk (CodeBuild start-up and EFS are not
# part of it). Builds the release job (release/cmd/wpfleet-release, as CodeBuild does) and runs
# it against a real git remote (file://), a MariaDB started here and Debian's WordPress (so the
# database upgrade runs for real, in the sandbox); the only stand-in is a fake `aws` command
# serving the two database secrets from files.
#
# Usage: bench/release/run.sh [RUNS]   (default 7; prints a Markdown table, median of RUNS)
# Env:   BENCH_DIR  work directory (default: a new directory under /var/tmp, removed at the end)
#        FILES      files in the repository (default 20000)
#        BENCH_VERBOSE=1 prints each release's step log (time spent per step)
set -euo pipefail
export LC_ALL=C

RUNS=${1:-7}
FILES=${FILES:-20000}
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || {
	echo "usage: $0 [RUNS 1-99]" >&2
	exit 2
}
[[ $FILES =~ ^[0-9]+$ && $FILES -ge 3000 ]] || {
	echo "FILES must be a number >= 3000 (WordPress alone has about 2,700)" >&2
	exit 2
}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)
WP_SRC=/usr/share/wordpress

for c in go git zstd bwrap mariadb-install-db mariadbd mariadb php awk; do
	command -v "$c" >/dev/null || {
		echo "bench: $c is not installed (see .ci/apt-packages)" >&2
		exit 1
	}
done
[[ -f $WP_SRC/wp-includes/version.php ]] || {
	echo "bench: Debian's wordpress package is not installed" >&2
	exit 1
}

OWN_DIR=""
if [[ -z ${BENCH_DIR:-} ]]; then
	BENCH_DIR=$(mktemp -d /var/tmp/wpfleet-release-bench.XXXXXX)
	OWN_DIR=1
fi
mkdir -p "$BENCH_DIR"
DBPID=""
cleanup() {
	if [[ -n $DBPID ]]; then
		kill "$DBPID" 2>/dev/null || true
		wait "$DBPID" 2>/dev/null || true
	fi
	[[ -n $OWN_DIR ]] && rm -rf -- "$BENCH_DIR"
	return 0
}
trap cleanup EXIT

say() { printf 'bench: %s\n' "$*" >&2; }

# ---- MariaDB on loopback ---------------------------------------------------------------
DB=$BENCH_DIR/db
mkdir -p "$DB"
while :; do # a free loopback port
	PORT=$((20000 + RANDOM % 20000))
	(: >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done
MASTER_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
SITE_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
mariadb-install-db --no-defaults --datadir="$DB/data" --user=root --auth-root-authentication-method=socket \
	--skip-test-db >"$DB/install.log" 2>&1
mariadbd --no-defaults --datadir="$DB/data" --socket="$DB/sock" --port="$PORT" --bind-address=127.0.0.1 \
	--user=root --pid-file="$DB/pid" --log-error="$DB/error.log" --skip-name-resolve --skip-log-bin \
	--innodb-buffer-pool-size=64M &
DBPID=$!
for _ in $(seq 1 300); do
	mariadb --no-defaults --socket="$DB/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
	sleep 0.2
done
mariadb --no-defaults --socket="$DB/sock" -uroot <<SQL
CREATE USER 'master'@'%' IDENTIFIED BY '$MASTER_PW';
GRANT ALL PRIVILEGES ON *.* TO 'master'@'%' WITH GRANT OPTION;
SQL

# ---- the job, built as the buildspec builds it ---------------------------------------------
BIN=$BENCH_DIR/bin
mkdir -p "$BIN"
(cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -o "$BIN/wpfleet-release" ./release/cmd/wpfleet-release)
cp "$REPO_ROOT/release/wp-update-db.php" "$BIN/"
SCRIPT=$BIN/wpfleet-release

# ---- secrets (fake aws) ------------------------------------------------------------------
SECRETS=$BENCH_DIR/secrets
mkdir -p "$BIN" "$SECRETS"
cat >"$BIN/aws" <<'EOF'
#!/bin/sh
# bench stand-in for: aws secretsmanager get-secret-value --secret-id ID --query SecretString --output text
[ "$1 $2 $3" = "secretsmanager get-secret-value --secret-id" ] || exit 252
cat "$BENCH_SECRETS/$(printf '%s' "$4" | tr -c 'A-Za-z0-9._-' '_')"
EOF
chmod +x "$BIN/aws"
printf '{"username":"master","password":"%s"}' "$MASTER_PW" >"$SECRETS/master"
printf '{"username":"wp_bench","password":"%s","dbname":"wp_bench","host":"127.0.0.1","port":"%s"}' \
	"$SITE_PW" "$PORT" >"$SECRETS/wpfleet_bench_bench_db"

# ---- the repository: WordPress core + generated plugin files = $FILES files -----------------
SRC=$BENCH_DIR/remote/bench
mkdir -p "$SRC"
say "generating a $FILES-file repository in $SRC"
cp -rL "$WP_SRC"/. "$SRC"/
rm -rf "$SRC/wp-content/languages" "$SRC/.htaccess"
core=$(find "$SRC" -type f | wc -l)
extra=$((FILES - core))
((extra > 0)) || extra=0
awk -v n="$extra" -v root="$SRC/wp-content/plugins" 'BEGIN {
	srand(42)
	for (i = 0; i < n; i++) {
		d = sprintf("%s/plugin-%03d/includes/part-%d", root, i % 200, int(i / 200) % 10)
		if (!(d in made)) { system("mkdir -p " d); made[d] = 1 }
		f = sprintf("%s/class-%05d.php", d, i)
		size = 500 + int(rand() * 7000)
		printf "<?php\n// generated file %d\n", i > f
		for (b = 0; b < size; b += 64) {
			printf "$v%d = \"%08x%08x\"; // line %d of a generated plugin\n", b, rand() * 4294967295, rand() * 4294967295, b > f
		}
		close(f)
	}
}'
g() { git -C "$SRC" -c user.name=bench -c user.email=bench@example.com "$@"; }
g init -q -b main
g add -A
g commit -q -m "initial: $FILES files"
say "repository: $(g ls-files | wc -l) files, $(du -sh --exclude=.git "$SRC" | cut -f1)"

# ---- the job's environment ---------------------------------------------------------------
ROOT=$BENCH_DIR/sites
mkdir -p "$ROOT"
export PATH="$BIN:$PATH" BENCH_SECRETS=$SECRETS HOME=$BENCH_DIR TMPDIR=$BENCH_DIR
export RELEASE_PATH=bench WPFLEET_SITES=bench WPFLEET_ENV=bench WPFLEET_SITES_ROOT=$ROOT KEEP_RELEASES=5
export DB_HOST=127.0.0.1 DB_PORT=$PORT DB_TLS=off DB_MASTER_SECRET_ARN=master SITE_SECRET_PREFIX=wpfleet/bench/
export REPO_URL_TEMPLATE="file://$BENCH_DIR/remote/{site}" GIT_CONFIG_NOSYSTEM=1

# job ACTION [BRANCH]: run the job, print "<script seconds> <wall seconds> <CPU seconds>"
# (CPU: user + system time of the job and everything it ran, which other load on the machine
# does not inflate the way it inflates the elapsed times).
job() {
	local out start end
	start=$EPOCHREALTIME
	# shellcheck disable=SC2016 # $0 and $1 belong to the inner bash
	out=$(ACTION=$1 BRANCH=${2:-main} bash -c '"$0" 2>"$1" || exit; times' "$SCRIPT" "$BENCH_DIR/job.log") || {
		cat "$BENCH_DIR/job.log" >&2
		exit 1
	}
	end=$EPOCHREALTIME
	printf '%s %s %s\n' "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")" \
		"$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')" \
		"$(tail -n 1 <<<"$out" | tr 'ms' '  ' | awk '{ printf "%.2f", $1 * 60 + $2 + $3 * 60 + $4 }')"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "first release (full fetch of the mirror)"
read -r first_s first_w first_c < <(job release)
# Install WordPress in the site's database so that every release runs a real update-db.
cur=$(readlink "$ROOT/bench/current")
printf '{"username":"wp_bench","password":"%s","dbname":"wp_bench"}' "$SITE_PW" |
	php "$REPO_ROOT/tests/release/testdata/wp-install.php" "$ROOT/bench/$cur" "127.0.0.1:$PORT" >/dev/null

rel=()
rb=()
for ((r = 1; r <= RUNS; r++)); do
	# A 10-file commit: 8 changed, 1 added, 1 deleted.
	mapfile -t generated < <(g ls-files 'wp-content/plugins/plugin-*')
	step=$((${#generated[@]} / 10))
	((step > 0)) || { echo "bench: too few generated files; raise FILES" >&2; exit 1; }
	victims=()
	for ((i = 0; i < 9; i++)); do victims+=("${generated[(i * step + r * 7) % ${#generated[@]}]}"); done
	for v in "${victims[@]:0:8}"; do printf '// run %d\n' "$r" >>"$SRC/$v"; done
	printf '<?php // added in run %d\n' "$r" >"$SRC/wp-content/plugins/plugin-000/added-$r.php"
	g rm -q -- "${victims[8]}"
	g add -A
	g commit -q -m "run $r: 10 files"
	read -r s w c < <(job release)
	[[ -z ${BENCH_VERBOSE:-} ]] || cat "$BENCH_DIR/job.log" >&2
	rel+=("$s $w $c")
	say "run $r: incremental release ${s}s (wall ${w}s, CPU ${c}s)"
	read -r s w c < <(job rollback)
	rb+=("$s $w $c")
	say "run $r: rollback ${s}s (wall ${w}s, CPU ${c}s)"
done

# median COLUMN LINES...: the median of one column.
median() {
	local k=$1
	shift
	printf '%s\n' "$@" | sort -n -k"$k,$k" | awk -v k="$k" '{ v[NR] = $k } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

# stats LINES...: median, min and max of the script time, medians of wall and CPU time.
stats() {
	printf '%s\n' "$@" | sort -n -k1,1 | awk -v wall="$(median 2 "$@")" -v cpu="$(median 3 "$@")" '{ s[NR] = $1 }
		END { printf "%.2f | %.2f | %.2f | %.2f | %.2f", s[int((NR + 1) / 2)], s[1], s[NR], wall, cpu }'
}

files=$(git -C "$SRC" ls-files | wc -l)
echo
echo "Release job on local disk ($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)), $files-file repository, median of $RUNS runs:"
echo
echo "| operation | runs | median s | min s | max s | median wall s | median CPU s |"
echo "|---|---|---|---|---|---|---|"
echo "| first release (full fetch) | 1 | $first_s | $first_s | $first_s | $first_w | $first_c |"
echo "| incremental release, 10-file commit | $RUNS | $(stats "${rel[@]}") |"
echo "| rollback | $RUNS | $(stats "${rb[@]}") |"
echo
echo "(s = the job's own seconds= figure; wall = including bash start-up; update-db ran each release;"
echo " load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
