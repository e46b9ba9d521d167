rule annotate:
    """One sample: caller output -> per-sample annotation (TSV, JSON) and the rows that could not be annotated."""
    input:
        unpack(sample_input),
        index="results/reference/index.json",
    output:
        tsv="results/samples/{sample}/{sample}.fusions.tsv",
        json="results/samples/{sample}/{sample}.fusions.json",
        rejects="results/samples/{sample}/{sample}.rejects.tsv",
    log:
        "logs/annotate/{sample}.log",
    params:
        fusion_annot=FUSION_ANNOT,
        reference=reference_options(),
        options=annotate_options,
        outdir=lambda wildcards, output: os.path.dirname(output.tsv),
    threads: 1
    conda:
        "../envs/fusion_annot.yaml"
    shell:
        "{params.fusion_annot} annotate {input.calls:q} {params.options} {params.reference}"
        " --out-dir {params.outdir:q} > {log:q} 2>&1"
