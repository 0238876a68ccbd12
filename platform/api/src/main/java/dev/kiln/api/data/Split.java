package dev.kiln.api.data;

/** Which part of a dataset: the validation split is carved from the training files with a seed. */
public enum Split {
    TRAIN, VALIDATION, TEST
}
