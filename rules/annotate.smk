for batch_number, members in enumerate(annotate_batches(), start=1):

    rule:
        """A batch of samples in one process: caller output -> per-sample annotation (TSV, JSON, rejects, VCF)
        and HTML report, the files single-sample runs write. A bad sample fails its batch (the log names it)."""
        name:
            f"annotate_batch{batch_number}"
        input:
            calls=batch_inputs(members),
            index="results/reference/index.json",
        output:
            [f"results/samples/{s}/{s}.{kind}" for s in members for kind in ANNOTATE_KINDS],
            [
                report(
                    f"results/samples/{s}/{s}.report.html",
                    caption="../report/sample_report.rst",
                    category="Sample reports",
                    labels={"sample": s},
                )
                for s in members
            ],
        log:
            f"logs/annotate/batch{batch_number}.log",
        benchmark:
            f"benchmarks/annotate/batch{batch_number}.tsv"
        params:
            fusion_annot=FUSION_ANNOT,
            sheet=config["samples"],
            only=",".join(members),
            records=batch_records(members),
            options=configured_annotate_options(),
            reference=reference_options(),
        threads: 1
        resources:
            # one rule per batch, so the resources are set here, not per rule name in a profile: ~0.2 GB for
            # the bundled reference plus the batch's tables; seconds per sample
            mem_mb=2000,
            runtime=20 + len(members) // 10,
        conda:
            "../envs/fusion_annot.yaml"
        shell:
            "{params.fusion_annot} annotate --samples {params.sheet:q} --only {params.only:q} {params.options}"
            " {params.reference} --vcf --html --out-dir 'results/samples/{{sample}}' > {log:q} 2>&1"


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
    benchmark:
        "benchmarks/consensus/{sample}.tsv"
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
