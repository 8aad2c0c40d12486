# cnn_bn: the baseline CNN with batch-norm after each conv and after dense 128 (val 0.9191 in Keras).
input 28x28x1
conv2d 32 3x3 relu
batchnorm
maxpool 2
dropout 0.25
conv2d 64 3x3 relu
batchnorm
maxpool 2
dropout 0.25
flatten
dense 128 relu
batchnorm
dropout 0.5
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 128
  epochs 10
  validation 0.1
