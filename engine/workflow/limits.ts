// Resource limits for loading workflow files: big or hostile input must fail fast with a clear problem.

/** Largest workflow file we open (bytes of UTF-8, or UTF-16 code units for text already in memory). */
export const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;

/** Most alias nodes (`*name`) one document may contain. */
export const MAX_ALIAS_NODES = 1_000;

/**
 * The `yaml` package's expansion budget (`maxAliasCount`): alias uses times the size of what each alias
 * expands to. Billion-laughs documents exceed it after a few steps, ordinary anchors never do.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

/** YAML syntax errors reported per file; later ones are usually consequences of the first. */
export const MAX_REPORTED_YAML_ERRORS = 10;

/** Canvas notes drawn per file (`metadata.fanout.notes`); later ones get one warning and are not drawn. */
export const MAX_CANVAS_NOTES = 500;

/** Characters of one note's text the canvas shows; longer text is kept in the file, shown cut. */
export const MAX_NOTE_TEXT = 20_000;
