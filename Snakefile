"""fusion-annot cohort workflow: caller outputs of many samples -> per-sample clinical annotation and cohort
summaries. Run from the repository root (or any directory holding config/config.yaml):

    snakemake --cores 2                              # the demo cohort in config/samples.tsv
    snakemake --profile profiles/slurm               # on a Slurm cluster (docs/cluster.md)

Rules live in rules/*.smk and only call the fusion_annot package; see docs/cohort-outputs.md for the outputs.
"""

from snakemake.utils import min_version, validate

min_version("8.20")


configfile: "config/config.yaml"


validate(config, "config/schema/config.schema.yaml")


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/reference.smk"
include: "rules/annotate.smk"
include: "rules/cohort.smk"
include: "rules/report.smk"


wildcard_constraints:
    sample=SAMPLE_PATTERN,


rule all:
    input:
        sample_outputs("fusions.tsv"),
        sample_outputs("fusions.json"),
        sample_outputs("fusions.vcf.gz"),
        sample_outputs("report.html"),
        [f"results/samples/{s}/{s}.consensus.tsv" for s in consensus_samples()],
        rules.cohort.output,
        rules.cohort_report.output,
    default_target: True
