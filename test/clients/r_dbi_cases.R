# R DBI with RPostgreSQL (Debian's r-cran-rpostgresql) against a server given on the command line:
#   Rscript r_dbi_cases.R <host> <port> <user> <password> <dbname>
# Prints what it observes; the test runs it against lakegres and the reference PostgreSQL and
# compares the outputs.
suppressPackageStartupMessages({
  library(DBI)
  library(RPostgreSQL)
})
args <- commandArgs(trailingOnly = TRUE)
con <- dbConnect(dbDriver("PostgreSQL"), host = args[1], port = as.integer(args[2]), user = args[3],
                 password = args[4], dbname = args[5])
out <- function(...) cat(paste0(..., collapse = ""), "\n", sep = "")
show <- function(label, x) { out(label, ": ", paste(capture.output(print(x)), collapse = "\n")) }

# Awkward strings: quotes, backslashes, tabs, newlines, unicode, NULL.
df <- data.frame(
  id = 1:7,
  s = c("plain", "it's", "back\\slash", "tab\there", "new\nline", "unicode \u2603 \u00e9 \U0001F600", NA),
  x = c(1.5, -2.25, 0, NA, 1e10, 3.14159, -0.5),
  b = c(TRUE, FALSE, NA, TRUE, FALSE, TRUE, FALSE),
  stringsAsFactors = FALSE
)
dbWriteTable(con, "r_round", df, row.names = FALSE)
show("exists", dbExistsTable(con, "r_round"))
show("missing", dbExistsTable(con, "r_no_such_table"))
show("tables", sort(dbListTables(con)))
show("fields", dbListFields(con, "r_round"))
back <- dbReadTable(con, "r_round")
back <- back[order(back$id), ]
rownames(back) <- NULL
show("read back", back)
show("identical strings", identical(back$s, df$s))
show("identical numbers", identical(back$x, df$x))
show("identical booleans", identical(back$b, df$b))

# Parameters.
show("param", dbGetQuery(con, "select id, s from r_round where id = $1 or s = $2 order by id", list(2L, "tab\there")))

# Chunked fetch.
res <- dbSendQuery(con, "select i, i * 2 as j from generate_series(1, 2500) as g(i) order by i")
n <- 0
chunks <- 0
repeat {
  chunk <- dbFetch(res, n = 1000)
  if (nrow(chunk) == 0) break
  n <- n + nrow(chunk)
  chunks <- chunks + 1
  if (chunks > 10) break
}
dbClearResult(res)
show("chunked", c(rows = n, chunks = chunks))

# Types R reads back.
show("types", sapply(dbGetQuery(con, "select 1::int4 as i, 2::int8 as l, 1.5::float8 as d, 'x'::text as t, true as b, date '2024-02-29' as dt"), class))

dbRemoveTable(con, "r_round")
show("removed", dbExistsTable(con, "r_round"))
invisible(dbDisconnect(con))
