rule annotate:
    """One sample: caller output -> per-sample annotation (TSV, JSON) and the rows that could not be annotated."""
    input:
        unpack(sample_input),
        index="results/reference/index.json",
    output:
        tsv="results/samples/{sample}/{sample}.fusions.tsv",
        json="results/samples/{sample}/{sample}.fusions.json",
        rejects="results/samples/{sample}/{sample}.rejects.tsv",
        vcf="results/samples/{sample}/{sample}.fusions.vcf.gz",
        tbi="results/samples/{sample}/{sample}.fusions.vcf.gz.tbi",
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
        " --vcf --out-dir {params.outdir:q} > {log:q} 2>&1"


rule consensus:
    """One sample called by several callers -> breakpoint-level consensus events (fusion-annot merge)."""
    input:
        unpack(consensus_input),
        index="results/reference/index.json",
    output:
        tsv="results/samples/{sample}/{sample}.consensus.tsv",
        rejects="results/samples/{sample}/{sample}.consensus_rejects.tsv",
    log:
        "logs/consensus/{sample}.log",
    params:
        fusion_annot=FUSION_ANNOT,
        specs=consensus_specs,
        reference=reference_options(keys=()),
        tolerance=config["consensus"]["tolerance"],
    threads: 1
    conda:
        "../envs/fusion_annot.yaml"
    shell:
        "{params.fusion_annot} merge {params.specs} --sample {wildcards.sample:q} --tolerance {params.tolerance}"
        " {params.reference} --out {output.tsv:q} --rejects {output.rejects:q} > {log:q} 2>&1"
