#!/bin/bash
# Print a table (metrics x peer/N) from one or more result files.
# usage: bench/summarize.sh results/peers.txt [results/vectis.txt ...]
# (a peer/N that appears again in a later file gets a column marked "*")
awk '
    /^peer=/ {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        col = f["peer"] "/" f["n"]
        # the same peer/N from another file (a rerun) gets its own column
        while ((col in src) && src[col] != FILENAME) col = col "*"
        src[col] = FILENAME
        if (!(col in seen)) { seen[col] = 1; cols[++nc] = col }
        if (!(f["metric"] in mseen)) { mseen[f["metric"]] = 1; mets[++nm] = f["metric"] }
        v[f["metric"], col] = f["value"]
    }
    END {
        printf "%-26s", "metric"
        for (c = 1; c <= nc; c++) printf " %14s", cols[c]
        printf "\n"
        for (m = 1; m <= nm; m++) {
            printf "%-26s", mets[m]
            for (c = 1; c <= nc; c++) {
                x = ((mets[m], cols[c]) in v) ? v[mets[m], cols[c]] : "-"
                printf " %14s", x
            }
            printf "\n"
        }
    }' "$@"
