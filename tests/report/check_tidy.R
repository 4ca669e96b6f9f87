# SPDX-License-Identifier: MIT
# Reads an mhsim results file in R (Debian's r-cran-hdf5r) without knowing its layout, as
# tests/report/check_tidy.py does in Python: every dataset with dimension scales becomes a
# labelled long data.frame (one column per dimension, named by its label, holding its scale's
# values, and `value`), found through the HDF5 dimension-scale attributes DIMENSION_LABELS and
# DIMENSION_LIST (object references to the scales). Checks: `units` and `description` on
# every numeric dataset, and a scale on each of its dimensions; arm names are the scenario's (its `[arms.<name>]` tables); years run
# 1..years; each table holds every cell once and sums to the array's total; arrived = exited
# + in_system for every (replication, arm); cash flows are named receipts and costs, and key
# result areas are numbered 0..K-1 (scales/flow, scales/kra).
# The function tidy() is the one docs/results-schema.md shows ("A tidy table in R").
#   Rscript check_tidy.R results.h5          (exit status 0 = all checks passed)
suppressPackageStartupMessages(library(hdf5r))

# --- the snippet of docs/results-schema.md ------------------------------------------------
tidy <- function(file, path) {
  d <- file[[path]]
  dims <- rev(d$dims)                        # hdf5r reverses the axes; put them back in file order
  attrs <- h5attr_names(d)
  labels <- if ("DIMENSION_LABELS" %in% attrs) h5attr(d, "DIMENSION_LABELS") else paste0("dim", seq_along(dims) - 1)
  refs <- if ("DIMENSION_LIST" %in% attrs) h5attr(d, "DIMENSION_LIST") else list()
  axes <- lapply(seq_along(dims), function(i) {
    ref <- if (i <= length(refs)) refs[[i]] else NULL
    if (inherits(ref, "H5R_OBJECT") && length(ref) > 0) {
      values <- ref$dereference(obj = file)[[1]]$read()
      if (is.character(values)) values else as.numeric(values)
    } else {
      seq_len(dims[i]) - 1                   # no scale: positions from 0
    }
  })
  names(axes) <- labels
  # as.vector() runs the last file axis fastest, as expand.grid runs its first argument.
  grid <- expand.grid(rev(axes), KEEP.OUT.ATTRS = FALSE, stringsAsFactors = FALSE)
  grid$value <- as.numeric(as.vector(d$read()))
  grid[, c(labels, "value")]
}
# -------------------------------------------------------------------------------------------

args <- commandArgs(trailingOnly = TRUE)
f <- H5File$new(args[1], mode = "r")
failures <- character()
check <- function(ok, what) if (!isTRUE(ok)) failures <<- c(failures, what)

scenario <- h5attr(f, "scenario_text")
scenario_arms <- sub("^\\[arms\\.([A-Za-z0-9_]+)\\].*$", "\\1",
                     grep("^\\[arms\\.[A-Za-z0-9_]+\\]", strsplit(scenario, "\n")[[1]], value = TRUE))
years <- as.numeric(h5attr(f, "years"))
R <- as.numeric(h5attr(f, "replications_in_file"))

paths <- f$ls(recursive = TRUE)
paths <- paths$name[paths$obj_type == "H5I_DATASET"]
tables <- list()
for (p in paths) {
  d <- f[[p]]
  cls <- d$get_type()$get_class()
  if (!(cls %in% c(h5const$H5T_FLOAT, h5const$H5T_INTEGER))) next
  attrs <- h5attr_names(d)
  check(all(c("units", "description") %in% attrs), paste(p, ": no units or description"))
  if ("CLASS" %in% attrs) next               # a dimension scale itself
  refs <- if ("DIMENSION_LIST" %in% attrs) h5attr(d, "DIMENSION_LIST") else list()
  check(length(refs) == length(d$dims) &&
          all(vapply(refs, function(r) inherits(r, "H5R_OBJECT") && length(r) > 0, logical(1))),
        paste(p, ": a dimension without a scale"))
  t <- tidy(f, p)
  tables[[p]] <- t
  total <- sum(as.numeric(d$read()), na.rm = TRUE)
  check(nrow(t) == prod(d$dims), paste(p, ": rows", nrow(t), "for", prod(d$dims), "cells"))
  check(isTRUE(all.equal(sum(t$value, na.rm = TRUE), total, tolerance = 1e-12)), paste(p, ": tidy total differs"))
}
check(length(tables) > 10, paste("only", length(tables), "tables"))

cost <- tables[["ledger/cost"]]
check(identical(names(cost), c("replication", "arm", "year", "service", "measure", "value")),
      paste("ledger/cost columns:", paste(names(cost), collapse = ", ")))
check(identical(unique(cost$arm), scenario_arms), paste("arms", paste(unique(cost$arm), collapse = ","), "are not the scenario's"))
check(identical(sort(unique(cost$year)), as.numeric(seq_len(years))), "years are not 1..years")
check(length(unique(cost$replication)) == R, "replications differ")
check(h5attr(f[["ledger/cost"]], "units") == "GBP", "ledger/cost is not in GBP")

key <- function(t) paste(t$replication, t$arm)
arrived <- tables[["checks/arrived"]]; exited <- tables[["checks/exited"]]; inside <- tables[["checks/in_system"]]
check(nrow(arrived) == R * length(scenario_arms) &&
        all(arrived$value == exited$value[match(key(arrived), key(exited))] + inside$value[match(key(arrived), key(inside))]),
      "arrived != exited + in_system somewhere")

cash <- tables[["payouts/cash"]]
if (!is.null(cash)) check(identical(unique(cash$flow), c("receipts", "costs")), "cash flows are not receipts, costs")
band <- tables[["payouts/kra_band"]]
if (!is.null(band)) {
  K <- rev(f[["payouts/kra_name"]]$dims)[2]   # file order [arm, kra]
  check(identical(sort(unique(band$kra)), as.numeric(seq_len(K) - 1)), "kra scale is not 0..K-1")
}

cat(args[1], ":", length(tables), "datasets read as labelled data.frames\n")
if (length(failures) > 0) {
  cat(paste("FAIL:", failures), sep = "\n")
  quit(status = 1)
}
cat("all checks passed\n")
