/*
 * ps-stress: the call sequence of voxbridge's pocketsphinx binding (src/engines/stt/pocketsphinx/
 * pocketsphinx-decoder.ts) in plain C, so that valgrind and AddressSanitizer can watch the
 * libraries without a JavaScript engine in the way. Several threads each create decoders
 * (cmd_ln_init + ps_init), feed them real 8 kHz speech in 20 ms chunks that are allocated and freed
 * around every ps_process_raw call (like the transferred ArrayBuffers of the worker protocol), end
 * utterances with a result (hypothesis, posteriors, segments) or abort them mid-utterance, run the
 * whole-utterance pass, and free the decoders; some decoders are handed to another thread to be
 * freed there.
 *
 * Build:  make -C test/stress/native            (ps-stress, ps-stress-asan)
 * Usage:  ps-stress [-t threads] [-n decoders per thread] [-u utterances per decoder]
 *                   [-L] [-s seed] -a audio.wav -h hmm-dir -l lm -d dict
 *   -L adds "-logfn /dev/null" to every decoder's arguments, as the binding did before issue 11:
 *      ps_init then reopens sphinxbase's one process-wide log FILE and fcloses the previous one,
 *      which other threads may be writing to or closing at the same moment.
 *   -R n  skips the decoders: each thread does n times what -L makes ps_init and a logging
 *      decoder do to that FILE (err_set_logfile, then one log line), to show the race quickly.
 */
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *hmm_dir, *lm_file, *dict_file;
static int16_t *audio;
static size_t audio_samples;
static int threads = 3, decoders_per_thread = 4, utterances_per_decoder = 4, use_logfn = 0;
static unsigned seed = 1;
static long log_race_iterations;

/* Counters, updated under the lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long created, freed, freed_elsewhere, utterances, aborts, whole, frames, words, errors;

/* One decoder handed from its creating thread to another one that frees it. */
static ps_decoder_t *handoff;
static cmd_ln_t *handoff_config;

static void count(long *counter, long n) {
    pthread_mutex_lock(&lock);
    *counter += n;
    pthread_mutex_unlock(&lock);
}

static int16_t *read_wav(const char *path, size_t *samples) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char header[12];
    if (fread(header, 1, 12, f) != 12 || memcmp(header, "RIFF", 4) || memcmp(header + 8, "WAVE", 4)) {
        fclose(f);
        return NULL;
    }
    for (;;) {
        unsigned char chunk[8];
        if (fread(chunk, 1, 8, f) != 8) break;
        uint32_t size = chunk[4] | chunk[5] << 8 | chunk[6] << 16 | (uint32_t)chunk[7] << 24;
        if (memcmp(chunk, "data", 4) == 0) {
            int16_t *pcm = malloc(size);
            if (pcm == NULL || fread(pcm, 1, size, f) != size) break;
            fclose(f);
            *samples = size / 2;
            return pcm;
        }
        fseek(f, size + (size & 1), SEEK_CUR);
    }
    fclose(f);
    return NULL;
}

static cmd_ln_t *make_config(void) {
    if (use_logfn) {
        return cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm_dir, "-lm", lm_file, "-dict", dict_file,
                           "-logfn", "/dev/null", "-samprate", "8000", "-nfft", "256", NULL);
    }
    return cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm_dir, "-lm", lm_file, "-dict", dict_file,
                       "-samprate", "8000", "-nfft", "256", NULL);
}

/* Feeds samples [from, to) in 20 ms chunks, each in its own heap buffer freed right after. */
static int feed(ps_decoder_t *ps, size_t from, size_t to) {
    for (size_t at = from; at < to; at += 160) {
        size_t n = to - at < 160 ? to - at : 160;
        int16_t *chunk = malloc(n * sizeof *chunk);
        memcpy(chunk, audio + at, n * sizeof *chunk);
        int rv = ps_process_raw(ps, chunk, n, FALSE, FALSE);
        free(chunk);
        if (rv < 0) return -1;
        count(&frames, rv);
    }
    return 0;
}

/* What PocketsphinxDecoder.endUtterance does after ps_end_utt. */
static void read_result(ps_decoder_t *ps) {
    int32 score, ascr, lscr, lback;
    int sf, ef;
    const char *hyp = ps_get_hyp(ps, &score);
    if (hyp == NULL || hyp[0] == '\0') return;
    ps_get_prob(ps);
    for (ps_seg_t *seg = ps_seg_iter(ps); seg != NULL; seg = ps_seg_next(seg)) {
        ps_seg_frames(seg, &sf, &ef);
        if (ps_seg_word(seg) == NULL) continue;
        ps_seg_prob(seg, &ascr, &lscr, &lback);
        count(&words, 1);
    }
}

static void free_decoder(ps_decoder_t *ps, cmd_ln_t *config, int in_utterance) {
    if (in_utterance) ps_end_utt(ps);
    ps_free(ps);
    cmd_ln_free_r(config);
}

static void *race_log(void *arg) {
    (void)arg;
    for (long i = 0; i < log_race_iterations; i++) {
        err_set_logfile("/dev/null");
        E_INFO("log line %ld\n", i);
    }
    return NULL;
}

static void *run(void *arg) {
    unsigned rng = seed * 7919u + (unsigned)(uintptr_t)arg;
    for (int d = 0; d < decoders_per_thread; d++) {
        cmd_ln_t *config = make_config();
        ps_decoder_t *ps = config == NULL ? NULL : ps_init(config);
        if (ps == NULL) {
            count(&errors, 1);
            if (config != NULL) cmd_ln_free_r(config);
            continue;
        }
        count(&created, 1);
        int in_utterance = 0;
        for (int u = 0; u < utterances_per_decoder; u++) {
            /* Between 1 and 4 seconds from a random offset in the first half of the audio. */
            size_t from = rand_r(&rng) % (audio_samples / 2);
            size_t to = from + 8000 + rand_r(&rng) % 24000;
            if (to > audio_samples) to = audio_samples;
            int action = rand_r(&rng) % 4;
            if (action == 0) {
                /* The whole-utterance final pass (full_utt). */
                if (ps_start_utt(ps) < 0 || ps_process_raw(ps, audio + from, to - from, FALSE, TRUE) < 0) {
                    count(&errors, 1);
                }
                ps_end_utt(ps);
                read_result(ps);
                count(&whole, 1);
                continue;
            }
            if (ps_start_utt(ps) < 0) {
                count(&errors, 1);
                continue;
            }
            in_utterance = 1;
            size_t cut = action == 1 ? from + (to - from) / 3 : to;
            if (feed(ps, from, cut) < 0) count(&errors, 1);
            ps_get_hyp(ps, NULL); /* a partial */
            if (action == 1) {
                /* Abandoned mid-utterance: ps_end_utt without reading the result. */
                ps_end_utt(ps);
                in_utterance = 0;
                count(&aborts, 1);
                continue;
            }
            if (action == 2 && u == utterances_per_decoder - 1) {
                count(&aborts, 1); /* closed while the utterance is open: free() ends it */
                break;
            }
            ps_end_utt(ps);
            in_utterance = 0;
            read_result(ps);
            count(&utterances, 1);
        }
        /* Every third decoder is freed by whichever thread comes next, not by its creator. */
        if (d % 3 == 2) {
            ps_decoder_t *other = NULL;
            cmd_ln_t *other_config = NULL;
            pthread_mutex_lock(&lock);
            other = handoff;
            other_config = handoff_config;
            if (in_utterance) ps_end_utt(ps);
            handoff = ps;
            handoff_config = config;
            pthread_mutex_unlock(&lock);
            if (other != NULL) {
                free_decoder(other, other_config, 0);
                count(&freed, 1);
                count(&freed_elsewhere, 1);
            }
            continue;
        }
        free_decoder(ps, config, in_utterance);
        count(&freed, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *audio_path = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "t:n:u:LR:s:a:h:l:d:")) != -1) {
        switch (opt) {
        case 't': threads = atoi(optarg); break;
        case 'n': decoders_per_thread = atoi(optarg); break;
        case 'u': utterances_per_decoder = atoi(optarg); break;
        case 'L': use_logfn = 1; break;
        case 'R': log_race_iterations = atol(optarg); break;
        case 's': seed = (unsigned)atoi(optarg); break;
        case 'a': audio_path = optarg; break;
        case 'h': hmm_dir = optarg; break;
        case 'l': lm_file = optarg; break;
        case 'd': dict_file = optarg; break;
        default: return 2;
        }
    }
    if (log_race_iterations > 0) {
        pthread_t *ids = calloc(threads, sizeof *ids);
        for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, race_log, NULL);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        printf("threads=%d log_swaps=%ld\n", threads, threads * log_race_iterations);
        free(ids);
        return 0;
    }
    if (audio_path == NULL || hmm_dir == NULL || lm_file == NULL || dict_file == NULL || threads < 1) {
        fprintf(stderr, "usage: ps-stress [-t threads] [-n decoders] [-u utterances] [-L] [-R n] [-s seed] "
                        "-a audio.wav -h hmm -l lm -d dict\n");
        return 2;
    }
    audio = read_wav(audio_path, &audio_samples);
    if (audio == NULL || audio_samples < 16000) {
        fprintf(stderr, "cannot read 8 kHz PCM16 speech from %s\n", audio_path);
        return 2;
    }
    /* As loadPocketsphinx does: sphinxbase's logging off for the whole process. */
    err_set_logfp(NULL);
    pthread_t *ids = calloc(threads, sizeof *ids);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, run, (void *)(uintptr_t)i);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    if (handoff != NULL) {
        free_decoder(handoff, handoff_config, 0);
        freed++;
    }
    printf("threads=%d created=%ld freed=%ld freed_by_other_thread=%ld utterances=%ld aborts=%ld "
           "whole_utterance_passes=%ld frames=%ld words=%ld errors=%ld\n",
           threads, created, freed, freed_elsewhere, utterances, aborts, whole, frames, words, errors);
    fflush(stdout);
    free(ids);
    free(audio);
    return errors == 0 && created == freed ? 0 : 1;
}
