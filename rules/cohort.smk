COHORT_TABLES = (
    "cohort.fusions",
    "samples",
    "recurrent_fusions",
    "kinase_partners",
    "frame_kinase_counts",
    "actionable_samples",
    "not_in_catalog",
)


rule cohort:
    """All samples -> cohort tables (docs/cohort-outputs.md) and cohort.summary.json."""
    input:
        fusions=sample_outputs("fusions.tsv"),
        rejects=sample_outputs("rejects.tsv"),
    output:
        tables=expand("results/cohort/{table}.tsv", table=COHORT_TABLES),
        summary="results/cohort/cohort.summary.json",
    log:
        "logs/cohort.log",
    benchmark:
        "benchmarks/cohort.tsv"
    params:
        fusion_annot=FUSION_ANNOT,
        min_samples=config["cohort"]["min_samples"],
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
    threads: 1
    conda:
        "../envs/fusion_annot.yaml"
    shell:
        "{params.fusion_annot} cohort --out-dir {params.outdir:q} --min-samples {params.min_samples}"
        " --rejects {input.rejects:q} -- {input.fusions:q} > {log:q} 2>&1"
