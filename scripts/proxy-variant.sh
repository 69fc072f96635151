#!/usr/bin/env bash
# The project as `npm run proxy:rename` leaves it (Next 16's proxy.ts instead of middleware.ts),
# made and checked in a copy so the working tree is untouched. .ci/run calls each step:
#   bash scripts/proxy-variant.sh prepare <dir>   copy the project (its files, not .git), rename, typecheck
#   bash scripts/proxy-variant.sh build <dir>     the production build, standalone as the Dockerfile's
#   bash scripts/proxy-variant.sh <dir> <cmd…>    run a command in the copy (a test suite)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

prepare() {
  local dir=$1
  mkdir -p "$dir"
  # The files git would commit (tracked, and new ones not ignored): what a clone of this tree has.
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$ROOT" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$dir"
  # node_modules as hard links (a second copy where the file system refuses them); the
  # workspace package's link is relative, so it points into the copy's packages/.
  cp -al "$ROOT/node_modules" "$dir/" 2>/dev/null || cp -a "$ROOT/node_modules" "$dir/"
  # The typecheck's incremental state: only what the rename touches is checked again.
  [ -f "$ROOT/tsconfig.tsbuildinfo" ] && cp "$ROOT/tsconfig.tsbuildinfo" "$dir/"
  cd "$dir"
  npm run -s proxy:rename
  npm run -s typecheck
  npx eslint --max-warnings=0 proxy.ts
  npx prettier --check proxy.ts
}

case "${1:-}" in
  prepare) prepare "$2" ;;
  build) cd "$2" && NEXT_OUTPUT=standalone NEXT_SKIP_TYPECHECK=1 npm run -s build ;;
  *)
    cd "$1"
    shift
    exec "$@"
    ;;
esac
