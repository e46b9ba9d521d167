rule index_reference:
    """Index the reference once, before the annotate jobs: parallel jobs then only read the index
    (config reference.cache_dir), and never race to build it."""
    input:
        reference_files(),
    output:
        "results/reference/index.json",
    log:
        "logs/index_reference.log",
    benchmark:
        "benchmarks/index_reference.tsv"
    params:
        fusion_annot=FUSION_ANNOT,
        reference=reference_options(),
    threads: 1
    conda:
        "../envs/fusion_annot.yaml"
    shell:
        "{params.fusion_annot} index {params.reference} --stamp {output:q} > {log:q} 2>&1"
