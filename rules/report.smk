rule cohort_report:
    """All samples -> one cohort HTML report (recurrent fusions, every call, a diagram per distinct fusion)."""
    input:
        json=sample_outputs("fusions.json"),
        index="results/reference/index.json",
    output:
        report("results/cohort/cohort.report.html", caption="../report/cohort_report.rst", category="Cohort"),
    log:
        "logs/report/cohort.log",
    benchmark:
        "benchmarks/cohort_report.tsv"
    params:
        fusion_annot=FUSION_ANNOT,
        reference=reference_options(keys=("domains",)),
    threads: 1
    conda:
        "../envs/fusion_annot.yaml"
    shell:
        "{params.fusion_annot} report {input.json:q} --title cohort {params.reference} --out {output:q} > {log:q} 2>&1"
