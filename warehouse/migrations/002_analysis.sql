-- Analysis results per bill version and per amendment (consecutive versions), per jurisdiction.
CREATE SCHEMA IF NOT EXISTS analysis;

CREATE TABLE analysis.bill_sections (
    version_id   VARCHAR NOT NULL,
    jurisdiction VARCHAR NOT NULL,
    section_no   INTEGER NOT NULL,
    path         VARCHAR NOT NULL,
    heading      VARCHAR,
    level        INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    PRIMARY KEY (version_id, section_no)
);
COMMENT ON TABLE analysis.bill_sections IS 'The legal hierarchy of each version (Sec. 1 / (a) / (1) ...) with offsets into its text.';

CREATE TABLE analysis.clauses (
    version_id     VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    clause_no      INTEGER NOT NULL,
    section        VARCHAR,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    text           VARCHAR NOT NULL,
    modality       VARCHAR,
    actor          VARCHAR,
    markup         VARCHAR NOT NULL,
    amounts        DOUBLE[],
    fiscal_years   VARCHAR[],
    recipient_type VARCHAR,
    PRIMARY KEY (version_id, clause_no)
);
COMMENT ON TABLE analysis.clauses IS 'Every operative clause of every version; markup says whether the version itself inserts or deletes it.';

CREATE TABLE analysis.clause_labels (
    version_id     VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    clause_no      INTEGER NOT NULL,
    category       VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL
);
COMMENT ON TABLE analysis.clause_labels IS 'Codebook categories on clauses, each with the rule that fired and its evidence span.';

CREATE TABLE analysis.version_fidelity (
    version_id      VARCHAR PRIMARY KEY,
    jurisdiction    VARCHAR NOT NULL,
    model_score     DOUBLE,
    organizer_score DOUBLE,
    flags           VARCHAR[],
    names_model     BOOLEAN,
    is_model_bill   BOOLEAN,
    model_similarity DOUBLE
);
COMMENT ON TABLE analysis.version_fidelity IS 'Fidelity to the LEAD model in [-1, 1], in the model lens and the organizer lens, and how closely the text copies model language.';
COMMENT ON COLUMN analysis.version_fidelity.is_model_bill IS 'True when the text reproduces LEAD model language, whether or not it names LEAD.';
COMMENT ON COLUMN analysis.version_fidelity.model_similarity IS 'Weighted share of model provisions whose reference phrasing the text reproduces, in [0, 1].';

CREATE TABLE analysis.provision_status (
    version_id   VARCHAR NOT NULL,
    jurisdiction VARCHAR NOT NULL,
    provision    VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    weight       INTEGER NOT NULL,
    evidence     VARCHAR,
    PRIMARY KEY (version_id, provision)
);
COMMENT ON TABLE analysis.provision_status IS 'Status of each LEAD model provision (present / weakened / absent / contradicted / unknown) per version.';

CREATE TABLE analysis.amendments (
    old_version_id VARCHAR NOT NULL,
    new_version_id VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    session        VARCHAR NOT NULL,
    bill_id        VARCHAR NOT NULL,
    direction      VARCHAR NOT NULL,
    fidelity_old   DOUBLE,
    fidelity_new   DOUBLE,
    PRIMARY KEY (old_version_id, new_version_id)
);
COMMENT ON TABLE analysis.amendments IS 'One row per pair of consecutive versions of a bill, with the direction of the amendment.';

CREATE TABLE analysis.version_changes (
    old_version_id VARCHAR NOT NULL,
    new_version_id VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    change_no      INTEGER NOT NULL,
    kind           VARCHAR NOT NULL,
    old_section    VARCHAR,
    new_section    VARCHAR,
    old_text       VARCHAR,
    new_text       VARCHAR,
    redline        JSON,
    PRIMARY KEY (old_version_id, new_version_id, change_no)
);
COMMENT ON TABLE analysis.version_changes IS 'Clauses added, removed or modified between consecutive versions, with a word-level redline.';

CREATE TABLE analysis.drift_signals (
    old_version_id VARCHAR NOT NULL,
    new_version_id VARCHAR NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    signal         VARCHAR NOT NULL,
    severity       VARCHAR NOT NULL,
    old_text       VARCHAR,
    new_text       VARCHAR
);
COMMENT ON TABLE analysis.drift_signals IS 'Codebook drift signals that fired on an amendment, with old and new evidence text.';
