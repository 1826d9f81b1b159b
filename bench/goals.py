"""The goals the benchmark's refresh measures are compared with (issue 25), in one place: the
measuring module records them beside each figure and the report reads them from here."""

M2_TO_PUBLICATION_S = 60  # full refresh at national scale, until the snapshot is published
M2_PEAK_RSS_MB = 3072
M3_TO_PUBLICATION_S = 10  # one académie's monthly export, until published
M3_COMMAND_S = 20  # the same, whole command (reports and research release included)
M6_GX_SHARE = 0.20  # Great Expectations' share of M2

M2_GOAL = f"≤ {M2_TO_PUBLICATION_S} s until published, peak RSS ≤ {M2_PEAK_RSS_MB // 1024} GB"
M3_GOAL = f"≤ {M3_TO_PUBLICATION_S} s until published, whole command ≤ {M3_COMMAND_S} s"
M6_GOAL = f"≤ {round(100 * M6_GX_SHARE)} % of M2"
LINEAR_K = 1.1  # time ∝ size^k: the growth the cost curve must keep under
TEN_TIMES_COMMAND_S = 15 * 60  # a full refresh of ten times the national volume, whole command
TEN_TIMES_PEAK_RSS_MB = 8192

TEN_TIMES_GOAL = (
    f"growth k ≤ {LINEAR_K}; ten times national: full refresh ≤ {TEN_TIMES_COMMAND_S // 60} min, "
    f"peak RSS ≤ {TEN_TIMES_PEAK_RSS_MB // 1024} GB"
)
