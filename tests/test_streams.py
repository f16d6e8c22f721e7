"""lenet/streams.py: one table of random streams, each a key derived from the run's seed."""
import jax
import numpy as np

from lenet import streams


def test_every_stream_has_its_own_id():
  ids = {name: v for name, v in vars(streams).items() if name.isupper()}
  assert sorted(ids) == ["BOOSTING", "CURVATURE", "DISTORTION", "ORDER"]
  assert len(set(ids.values())) == len(ids)


def test_a_streams_key_is_the_seed_folded_with_its_id():
  np.testing.assert_array_equal(streams.key(7, streams.ORDER),
                                jax.random.fold_in(jax.random.PRNGKey(7), 1))
  assert not np.array_equal(streams.key(7, streams.ORDER), streams.key(7, streams.CURVATURE))
