from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def callers_dir(shared_dir) -> Path:
    return shared_dir / "callers"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Reference indexes go to a per-run cache unless PYENSEMBL_CACHE_DIR is set (CI may share one)."""
    import os

    if not os.environ.get("PYENSEMBL_CACHE_DIR"):
        os.environ["PYENSEMBL_CACHE_DIR"] = str(tmp_path_factory.mktemp("pyensembl_cache"))
    yield


@pytest.fixture(scope="session")
def bundled(_isolated_cache):
    """(Reference, DomainTable) for the bundled genome-wide reference (the default), loaded once per test run."""
    from fusion_annot.domains import domain_table_for
    from fusion_annot.reference import load_reference

    reference = load_reference("bundled")
    return reference, domain_table_for(reference)


@pytest.fixture(scope="session")
def catalog_gtf(shared_dir) -> Path:
    """The 63 catalog/kinase genes of the shared offline reference, as a GTF (for tests of GTF conversion)."""
    return shared_dir / "reference" / "catalog_genes.ensembl110.gtf.gz"
