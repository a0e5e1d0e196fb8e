#!/usr/bin/env bash
# The shipped build of chat-exporter, used by scripts/run.sh and bench/run.sh:
#
#   scripts/build-release.sh [--scratch-path DIR] [--no-order]
#
# prints "layout: ordered" or "layout: unordered", then the built binary's path as its last line of standard
# output (everything else goes to standard error).
#
#   - release, with the Swift runtime and FoundationEssentials linked in (--static-swift-stdlib): no Swift installation is
#     needed beside the binary, and the linker keeps only what is used;
#   - the functions the running exporter executes (collector runs, scrapes; scripts/steady-state.order, recorded by
#     scripts/profile-order.sh) grouped at the start of the code, with lld and one section per function: after
#     start-up the exporter touches code in a 4 MiB stretch instead of all over 18 MB of it, so fewer pages stay
#     resident (docs/benchmarks.md, Memory). --no-order builds without it (as bench/run.sh does for its
#     comparison). An order file that names functions that no longer exist is harmless: the linker skips them.
#     The file is passed under a name that holds its digest, so a new order file relinks.
#
# Without ld.lld in the Swift toolchain it says so and builds without the order file; any other failure fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly ORDER_FILE="$PWD/scripts/steady-state.order"

scratch=()
scratch_dir=.build
order=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scratch-path) [[ $# -ge 2 ]] || { echo "build-release.sh: --scratch-path needs a value" >&2; exit 2; }
                        scratch=(--scratch-path "$2"); scratch_dir="$2"; shift 2 ;;
        --no-order) order=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-release.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null 2>&1 || { echo "build-release.sh: swift not found on PATH nor in /opt/swift/usr/bin" >&2; exit 1; }

flags=(-c release --static-swift-stdlib --product chat-exporter "${scratch[@]}")
[[ -f "$ORDER_FILE" ]] || order=0
lld="$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld"
if ((order)) && [[ ! -x "$lld" ]]; then
    echo "build-release.sh: warning: no ld.lld beside swift ($lld): building without the order file" >&2
    order=0
fi
if ((order)); then
    # SwiftPM does not track linker inputs: a path that changes with the content makes a new order relink. The copy
    # lives in the build directory, not TMPDIR, so that the same order file gives the same flags (no relink) from
    # any environment: scripts/test.sh builds the binary that bench/run.sh, started by a test, then reuses.
    digest="$(sha256sum "$ORDER_FILE" | cut -c1-16)"
    mkdir -p "$scratch_dir"
    ordered_copy="$(cd "$scratch_dir" && pwd)/chat-exporter-steady-state-$digest.order"
    [[ -f "$ordered_copy" ]] || cp "$ORDER_FILE" "$ordered_copy"
    echo "build-release.sh: swift build ${flags[*]} (functions ordered by scripts/steady-state.order, lld)" >&2
    swift build "${flags[@]}" -Xswiftc -use-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections \
        -Xlinker "--symbol-ordering-file=$ordered_copy" -Xlinker --no-warn-symbol-ordering >&2
    echo "layout: ordered"
else
    echo "build-release.sh: swift build ${flags[*]}" >&2
    swift build "${flags[@]}" >&2
    echo "layout: unordered"
fi
printf '%s/chat-exporter\n' "$(swift build "${flags[@]}" --show-bin-path)"
